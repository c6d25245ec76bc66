import { describe, expect, it } from 'vitest';
import { parseReplaceDirectives, wrapperGoMod } from './go-build.js';
import { TOOLS } from './tool-manifest.js';
import type { GoWrapperRecipe } from './tool-manifest.js';

const kubernetesGoMod = `module k8s.io/kubernetes

go 1.26.0

require (
	k8s.io/api v0.0.0
)

replace (
	k8s.io/api => ./staging/src/k8s.io/api
	k8s.io/client-go => ./staging/src/k8s.io/client-go // comment
)
`;

const etcdGoMod = `module go.etcd.io/etcd/server/v3

go 1.25.0

replace (
	go.etcd.io/etcd/api/v3 => ../api
	go.etcd.io/etcd/client/v3 => ../client/v3
)

replace go.etcd.io/etcd => ./FORBIDDEN_DEPENDENCY
replace github.com/vmware-labs/yaml-jsonpath v0.3.2 => github.com/helm-unittest/yaml-jsonpath v0.4.0
`;

describe('wrapper modules for Go builds', () => {
  it('parses replace blocks, single-line replaces and trailing comments', () => {
    expect(parseReplaceDirectives(kubernetesGoMod)).toEqual([
      { from: 'k8s.io/api', fromVersion: undefined, to: './staging/src/k8s.io/api', toVersion: undefined },
      { from: 'k8s.io/client-go', fromVersion: undefined, to: './staging/src/k8s.io/client-go', toVersion: undefined },
    ]);
  });

  it('pins each Kubernetes staging module to its matching v0.x version', () => {
    const recipe = TOOLS['kube-apiserver'].build as GoWrapperRecipe;
    const goMod = wrapperGoMod(recipe, kubernetesGoMod);
    expect(goMod).toContain(`require k8s.io/kubernetes ${recipe.version}`);
    expect(goMod).toContain(`replace k8s.io/api => k8s.io/api ${recipe.relativeReplaceVersion}`);
    expect(goMod).toContain(`replace k8s.io/client-go => k8s.io/client-go ${recipe.relativeReplaceVersion}`);
    expect(recipe.relativeReplaceVersion).toMatch(/^v0\./);
    expect(goMod).toMatch(/^go 1\.26\.0$/m);
  });

  it('drops import guards and keeps versioned replaces verbatim', () => {
    const recipe = TOOLS.etcd.build as GoWrapperRecipe;
    const goMod = wrapperGoMod(recipe, etcdGoMod);
    expect(goMod).not.toContain('FORBIDDEN');
    expect(goMod).toContain(`replace go.etcd.io/etcd/api/v3 => go.etcd.io/etcd/api/v3 ${recipe.version}`);
    expect(goMod).toContain('replace github.com/vmware-labs/yaml-jsonpath v0.3.2 => github.com/helm-unittest/yaml-jsonpath v0.4.0');
  });
});
