/** A generated chart file: path relative to chart/ and its full text. */
export interface ChartFile {
  readonly path: string;
  readonly content: string;
}

/** A template module: renders one file under chart/templates. */
export interface TemplateModule {
  /** Path relative to chart/templates, e.g. `gateway/deployment.yaml`. */
  readonly path: string;
  /** The TypeScript source that produces it (for the generated-file header). */
  readonly source: string;
  readonly render: () => string;
}
