// The dashboard: one self-contained page (no build step, no external assets) that reads the lab's
// state once, then follows it live over Server-Sent Events.

const style = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;background:#f8fafc;color:#0f172a}
header{background:#0f172a;color:#f8fafc;padding:10px 18px;display:flex;gap:18px;align-items:baseline}
header h1{font-size:18px;margin:0} header span{opacity:.8}
main{display:grid;grid-template-columns:1.2fr 1fr;gap:14px;padding:14px}
section{background:#fff;border:1px solid #e2e8f0;border-radius:8px;padding:10px 12px;overflow:auto}
section h2{font-size:15px;margin:0 0 8px}
table{border-collapse:collapse;width:100%} td,th{border-bottom:1px solid #f1f5f9;padding:3px 6px;text-align:left;font-size:13px;vertical-align:top}
th{color:#475569;font-weight:600}
.nodes{display:flex;gap:10px;flex-wrap:wrap}.node{border:1px solid #cbd5e1;border-radius:6px;padding:6px 8px;min-width:200px}
.node h3{font-size:13px;margin:0 0 4px}.pod{font-size:12px;font-family:ui-monospace,monospace}
.dot{display:inline-block;width:8px;height:8px;border-radius:50%;margin-right:5px}.ready{background:#16a34a}.notready{background:#dc2626}
tr.request{cursor:pointer} tr.request:hover{background:#eff6ff} .err{color:#dc2626}
pre:empty{display:none}
pre{background:#0f172a;color:#e2e8f0;padding:8px;border-radius:6px;font-size:12px;max-height:360px;overflow:auto}
#graph img{max-width:100%}
.wide{grid-column:1 / span 2}
`;

const script = `
const objects = new Map();
const traffic = [];
const seen = new Set(); // request ids already shown: a reconnecting EventSource replays
const key = (o) => o.kind + '/' + (o.metadata.namespace || '') + '/' + o.metadata.name;
const ofKind = (kind) => [...objects.values()].filter((o) => o.kind === kind);
const esc = (t) => String(t ?? '').replace(/[&<>"]/g, (c) => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'})[c]);
const ready = (pod) => (pod.status?.conditions || []).some((c) => c.type === 'Ready' && c.status === 'True');
// Events come in bursts (a Deployment's 100 pods): mark what changed, draw at most once a frame.
// A request only redraws the traffic table; an object change redraws only the node boxes and tables
// whose HTML differs, so 1,000 pods on the page cost no DOM work when one of them changes.
const dirty = { objects: false, traffic: false };
let pending = false;
function schedule(part) { dirty[part] = true; if (!pending) { pending = true; requestAnimationFrame(() => { pending = false; render(); }); } }
const shown = new Map(); // element id → the HTML it shows
function setHTML(id, html) { if (shown.get(id) !== html) { shown.set(id, html); document.getElementById(id).innerHTML = html; } }
const boxes = new Map(); // node name → { html, el } of its box in the topology
function nodeBox(name, pods) {
  const node = objects.get('Node//' + name);
  const cidr = node?.spec?.podCIDR || '';
  const zone = node?.metadata?.labels?.['topology.kubernetes.io/zone'] || '';
  const cond = (node?.status?.conditions || []).find((c) => c.type === 'Ready');
  pods.sort((a, b) => (a.metadata.namespace + '/' + a.metadata.name).localeCompare(b.metadata.namespace + '/' + b.metadata.name));
  return '<div class="node" data-testid="node" data-node="' + esc(name) + '"><h3><span class="dot ' + (cond?.status === 'False' ? 'notready' : 'ready') + '"></span>' + esc(name) + '</h3>'
    + '<div>' + esc(cidr) + ' ' + esc(zone) + '</div>'
    + pods.map((p) => '<div class="pod" data-testid="pod"><span class="dot ' + (ready(p) ? 'ready' : 'notready') + '"></span>' + esc(p.metadata.namespace + '/' + p.metadata.name) + ' ' + esc(p.status?.podIP || '') + '</div>').join('')
    + '</div>';
}
function renderNodes() {
  const allPods = ofKind('Pod');
  const byNode = new Map();
  for (const pod of allPods) { const n = pod.spec.nodeName || '(pending)'; if (!byNode.has(n)) byNode.set(n, []); byNode.get(n).push(pod); }
  const names = ofKind('Node').map((n) => n.metadata.name);
  const known = new Set(names);
  for (const n of byNode.keys()) if (!known.has(n)) names.push(n);
  const html = names.map((name) => [name, nodeBox(name, byNode.get(name) || [])]);
  const el = document.getElementById('nodes');
  const sameBoxes = html.length === boxes.size && html.every(([name], i) => boxes.get(name)?.el === el.children[i]);
  if (!sameBoxes) {
    el.innerHTML = html.map(([, h]) => h).join('');
    boxes.clear();
    html.forEach(([name, h], i) => boxes.set(name, { html: h, el: el.children[i] }));
  } else {
    for (const [name, h] of html) {
      const box = boxes.get(name);
      if (box.html === h) continue;
      const t = document.createElement('template');
      t.innerHTML = h;
      const fresh = t.content.firstElementChild;
      box.el.replaceWith(fresh);
      box.el = fresh;
      box.html = h;
    }
  }
  // data-pods: how many pods the topology shows (what tests and the render benchmark wait for).
  el.dataset.pods = String(allPods.length);
}

function render() {
  if (dirty.objects) renderObjects();
  if (dirty.traffic) renderTraffic();
  dirty.objects = dirty.traffic = false;
}

function renderObjects() {
  document.getElementById('counts').textContent = ofKind('Node').length + ' nodes · ' + ofKind('Pod').length + ' pods · ' + ofKind('Service').length + ' services';
  renderNodes();
  const slices = ofKind('EndpointSlice');
  setHTML('services', '<tr><th>service</th><th>type</th><th>clusterIP</th><th>ports</th><th>endpoints</th></tr>' + ofKind('Service').map((s) => {
    const eps = slices.filter((e) => e.metadata.namespace === s.metadata.namespace && e.metadata.labels?.['kubernetes.io/service-name'] === s.metadata.name)
      .flatMap((e) => e.endpoints.map((ep) => ep.addresses[0] + (ep.conditions?.ready === false ? ' (not ready)' : '')));
    return '<tr data-testid="service"><td>' + esc(s.metadata.namespace + '/' + s.metadata.name) + '</td><td>' + esc(s.spec.type) + '</td><td>' + esc(s.spec.clusterIP || '') + '</td><td>'
      + esc((s.spec.ports || []).map((p) => p.port + '/' + p.protocol).join(', ')) + '</td><td>' + esc(eps.join(', ')) + '</td></tr>';
  }).join(''));
  const routes = [...ofKind('Ingress').flatMap((i) => (i.spec.rules || []).flatMap((r) => (r.http?.paths || []).map((p) => [i, (r.host || '*') + (p.path || '/'), p.backend.service ? p.backend.service.name + ':' + (p.backend.service.port.number || p.backend.service.port.name) : '']))),
    ...ofKind('HTTPRoute').flatMap((h) => (h.spec.rules || []).map((r) => [h, (h.spec.hostnames || ['*']).join(',') + ' ' + (r.matches || []).map((m) => m.path?.value || '/').join(' '), (r.backendRefs || []).map((b) => b.name + ':' + b.port + (b.weight != null ? ' w' + b.weight : '')).join(', ')]))];
  setHTML('routes', '<tr><th>object</th><th>match</th><th>backend</th></tr>' + routes.map(([o, m, b]) => '<tr data-testid="route"><td>' + esc(o.kind + ' ' + o.metadata.namespace + '/' + o.metadata.name) + '</td><td>' + esc(m) + '</td><td>' + esc(b) + '</td></tr>').join(''));
  const attachments = ofKind('VolumeAttachment');
  setHTML('volumes', '<tr><th>claim</th><th>volume</th><th>attached to</th></tr>' + ofKind('PersistentVolumeClaim').map((c) => {
    const pv = c.spec.volumeName || '';
    const nodesAttached = attachments.filter((a) => a.spec.source.persistentVolumeName === pv && a.status?.attached).map((a) => a.spec.nodeName);
    return '<tr data-testid="volume"><td>' + esc(c.metadata.namespace + '/' + c.metadata.name) + '</td><td>' + esc(pv || c.status?.phase || 'Pending') + '</td><td>' + esc(nodesAttached.join(', ')) + '</td></tr>';
  }).join(''));
  setHTML('policies', '<tr><th>policy</th><th>selects</th><th>types</th></tr>' + ofKind('NetworkPolicy').map((p) => '<tr data-testid="policy"><td>' + esc(p.metadata.namespace + '/' + p.metadata.name) + '</td><td>' + esc(JSON.stringify(p.spec.podSelector.matchLabels || {})) + '</td><td>' + esc((p.spec.policyTypes || []).join(', ')) + '</td></tr>').join(''));
}

function renderTraffic() {
  setHTML('traffic', '<tr><th>time</th><th>request</th><th>status</th><th>ms</th><th>bytes</th></tr>' + traffic.slice(-60).reverse().map((r) =>
    '<tr class="request" data-testid="request" data-id="' + esc(r.id) + '"><td>' + new Date(r.time).toLocaleTimeString() + '</td><td>' + esc(r.summary) + '</td><td class="' + (r.status < 0 || r.status >= 500 ? 'err' : '') + '">' + esc(r.status) + '</td><td>' + r.durationMs.toFixed(1) + '</td><td>' + r.bytes + '</td></tr>').join(''));
}

function showTrace(id) {
  const record = traffic.find((r) => r.id === id);
  if (!record) return;
  document.getElementById('trace').innerHTML = '<h2>Trace: ' + esc(record.summary) + '</h2><ol data-testid="trace">' + record.hops.map((h) => '<li><b>' + esc(h.kind) + '</b> ' + esc(h.detail) + (h.node ? ' <i>on ' + esc(h.node) + '</i>' : '') + '</li>').join('') + '</ol>';
}

async function loadRules() {
  const node = document.getElementById('rules-node').value;
  const mode = document.getElementById('rules-mode').value;
  const response = await fetch('/kemu/v1/rules?node=' + encodeURIComponent(node) + '&mode=' + mode);
  document.getElementById('rules').textContent = await response.text();
}

async function refreshRates() {
  const rates = await (await fetch('/kemu/v1/rates')).json();
  document.getElementById('rates').innerHTML = '<tr><th>service / pod</th><th>req/s</th><th>errors/s</th><th>bytes/s</th></tr>' + rates.map((r) => '<tr data-testid="rate"><td>' + esc(r.key) + '</td><td>' + r.requestsPerSecond.toFixed(1) + '</td><td>' + r.errorsPerSecond.toFixed(1) + '</td><td>' + Math.round(r.bytesPerSecond) + '</td></tr>').join('');
}

let graphTimer;
function refreshGraph() { clearTimeout(graphTimer); graphTimer = setTimeout(() => { document.getElementById('graph-img').src = '/kemu/v1/graph.svg?t=' + Date.now(); }, 500); }

async function start() {
  const state = await (await fetch('/kemu/v1/state?view=page')).json();
  performance.mark('kemu:state'); // marks for the first-render benchmark's breakdown
  for (const o of state.objects) objects.set(key(o), o);
  for (const r of state.traffic) { seen.add(r.id); traffic.push(r); }
  document.getElementById('rules-node').innerHTML = ofKind('Node').map((n) => '<option>' + esc(n.metadata.name) + '</option>').join('');
  dirty.objects = dirty.traffic = true; render(); performance.mark('kemu:render'); refreshGraph(); refreshRates(); setInterval(refreshRates, 2000);
  // trafficAfter: the server replays requests logged between the snapshot and this stream.
  const events = new EventSource('/kemu/v1/events?view=page&resourceVersion=' + state.resourceVersion + '&trafficAfter=' + encodeURIComponent(state.traffic.at(-1)?.id || ''));
  events.addEventListener('object', (e) => { const ev = JSON.parse(e.data); if (ev.type === 'DELETED') objects.delete(key(ev.object)); else objects.set(key(ev.object), ev.object); schedule('objects'); refreshGraph(); });
  events.addEventListener('traffic', (e) => { const r = JSON.parse(e.data); if (seen.has(r.id)) return; seen.add(r.id); traffic.push(r); if (traffic.length > 500) for (const gone of traffic.splice(0, traffic.length - 500)) seen.delete(gone.id); schedule('traffic'); });
  document.getElementById('traffic').addEventListener('click', (e) => { const row = e.target.closest('tr.request'); if (row) showTrace(row.dataset.id); });
  document.getElementById('rules-load').addEventListener('click', loadRules);
  document.body.dataset.ready = 'true';
}
start();
`;

/** The dashboard page for a lab called `labName`. */
export function dashboardPage(labName: string): string {
  const title = `kemu — ${labName.replace(/[<>&"]/g, '')}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${title}</title><meta name="viewport" content="width=device-width,initial-scale=1"><style>${style}</style></head>
<body>
<header><h1>${title}</h1><span id="counts"></span></header>
<main>
<section class="wide"><h2>Nodes and pods</h2><div class="nodes" id="nodes"></div></section>
<section><h2>Services and endpoints</h2><table id="services"></table></section>
<section><h2>Ingresses and routes</h2><table id="routes"></table></section>
<section><h2>Live traffic</h2><table id="traffic"></table></section>
<section><div id="trace"><h2>Trace</h2><p>Click a request to see its hops.</p></div><h2>Rates (last 10 s)</h2><table id="rates"></table></section>
<section><h2>Volumes</h2><table id="volumes"></table></section>
<section><h2>Network policies</h2><table id="policies"></table></section>
<section class="wide" id="graph"><h2>Topology</h2><img id="graph-img" alt="lab topology"></section>
<section class="wide"><h2>Rules of a node</h2><select id="rules-node"></select> <select id="rules-mode"><option>iptables</option><option>nftables</option><option>ipvs</option></select> <button id="rules-load">Show</button><pre id="rules"></pre></section>
</main>
<script>${script}</script>
</body></html>`;
}
