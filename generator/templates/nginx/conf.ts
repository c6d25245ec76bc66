/**
 * nginx.conf, the single source for the proxy's routing (D6: no hand-kept copy). Mirrors
 * docker/nginx/nginx.conf upstream: LangGraph rewrite, uploads, the browser WebSocket stream,
 * the `$connection_upgrade` map and gzip. `/api/sandboxes` is never proxied (D12).
 */
import { COMPONENTS } from '../../components.js';

const NGINX_PORT = COMPONENTS.nginx.port.number;
// Host and X-Forwarded-Host carry the port the browser used (\`$http_host\`, not \`$host\`): DeerFlow
// builds the expected Origin of auth requests and of the browser WebSocket from them
// (backend/app/gateway/csrf_middleware.py:163-193, routers/browser.py:142-177), so dropping the port
// refuses login on any non-default port. Client-sent Forwarded and X-Forwarded-Port are cleared:
// DeerFlow prefers them over X-Forwarded-Host.
const proxyHeaders = String.raw`proxy_set_header Host $forwarded_host;
proxy_set_header X-Real-IP $remote_addr;
proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
proxy_set_header X-Forwarded-Proto $forwarded_proto;
proxy_set_header X-Forwarded-Host $forwarded_host;
proxy_set_header X-Forwarded-Port "";
proxy_set_header Forwarded "";`;

function indent(text: string, n: number): string {
  return text.split('\n').map((l) => (l.length > 0 ? ' '.repeat(n) + l : l)).join('\n');
}

const streaming = String.raw`proxy_http_version 1.1;
proxy_set_header Connection "";
proxy_buffering off;
proxy_cache off;
proxy_request_buffering off;
add_header X-Accel-Buffering no;
proxy_read_timeout {{ .Values.nginx.proxyTimeoutSeconds }}s;
proxy_send_timeout {{ .Values.nginx.proxyTimeoutSeconds }}s;`;

export const nginxConf = String.raw`worker_processes auto;
pid /tmp/nginx.pid;
error_log /dev/stderr warn;

events {
  worker_connections 1024;
}

http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log /dev/stdout;
  sendfile on;
  keepalive_timeout 65;
  server_tokens off;

  client_body_temp_path /tmp/client_body;
  proxy_temp_path /tmp/proxy;
  fastcgi_temp_path /tmp/fastcgi;
  uwsgi_temp_path /tmp/uwsgi;
  scgi_temp_path /tmp/scgi;

  {{- if .Values.nginx.gzip }}
  gzip on;
  gzip_vary on;
  gzip_proxied any;
  gzip_min_length 1024;
  gzip_types text/plain text/css text/xml application/json application/javascript application/xml application/rss+xml image/svg+xml;
  {{- end }}

  # Client address from trusted proxies only (ingress controllers, load balancers), so the
  # gateway's per-IP login rate limit keys on the real client (D11).
  {{- range .Values.nginx.realIpFrom }}
  set_real_ip_from {{ . }};
  {{- end }}
  real_ip_header X-Forwarded-For;
  real_ip_recursive on;

  map $http_upgrade $connection_upgrade {
    default upgrade;
    ''      close;
  }

  # Only "https" from the hop in front is believed (a TLS-terminating ingress); anything else a
  # client sends becomes this connection's own scheme, as upstream's nginx.conf maps it.
  map $http_x_forwarded_proto $forwarded_proto {
    default  $scheme;
    ~^https  https;
  }

  # The Host the client sent, port included; $host (no port) only when it sent none.
  map $http_host $forwarded_host {
    default $http_host;
    ''      $host;
  }

  upstream gateway {
    server {{ include "deerflow.serviceHost" (dict "ctx" $ "component" "gateway") }}:{{ .Values.gateway.service.port }};
    keepalive 16;
  }

  upstream frontend {
    server {{ include "deerflow.serviceHost" (dict "ctx" $ "component" "frontend") }}:{{ .Values.frontend.service.port }};
    keepalive 16;
  }

  server {
    listen ${NGINX_PORT};
    listen [::]:${NGINX_PORT};
    server_name _;
    client_max_body_size {{ .Values.nginx.clientMaxBodySize }};

    location = /nginx-health {
      access_log off;
      default_type text/plain;
      return 200 "ok\n";
    }

    # The sandbox agent API is cluster-internal; never expose it at the edge (D12).
    location ^~ /api/sandboxes {
      return 404;
    }

    location /api/langgraph/ {
      rewrite ^/api/langgraph/(.*)$ /api/$1 break;
      proxy_pass http://gateway;
${indent(proxyHeaders, 6)}
${indent(streaming, 6)}
    }

    location ~ ^/api/threads/[^/]+/uploads {
      client_max_body_size {{ .Values.nginx.uploadMaxBodySize }};
      proxy_pass http://gateway;
${indent(proxyHeaders, 6)}
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_request_buffering off;
      proxy_read_timeout {{ .Values.nginx.proxyTimeoutSeconds }}s;
      proxy_send_timeout {{ .Values.nginx.proxyTimeoutSeconds }}s;
    }

    # Live browser view (WebSocket, #4187).
    location ~ ^/api/threads/[^/]+/browser/stream {
      proxy_pass http://gateway;
${indent(proxyHeaders, 6)}
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_buffering off;
      proxy_read_timeout {{ .Values.nginx.proxyTimeoutSeconds }}s;
      proxy_send_timeout {{ .Values.nginx.proxyTimeoutSeconds }}s;
    }

    location ~ ^/api/threads {
      proxy_pass http://gateway;
${indent(proxyHeaders, 6)}
${indent(streaming, 6)}
    }

    location /api/ {
      proxy_pass http://gateway;
${indent(proxyHeaders, 6)}
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }

    location = /health {
      proxy_pass http://gateway;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }

    {{- if .Values.deerflow.enableDocs }}
    location ~ ^/(docs|redoc|openapi\.json) {
      proxy_pass http://gateway;
${indent(proxyHeaders, 6)}
    }
    {{- end }}

    location / {
      proxy_pass http://frontend;
${indent(proxyHeaders, 6)}
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_read_timeout {{ .Values.nginx.proxyTimeoutSeconds }}s;
    }
  }
}`;
