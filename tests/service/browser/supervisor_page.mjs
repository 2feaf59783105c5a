// The supervisor page in a real browser (Debian's chromium driven by playwright-core): it loads,
// goes live, its figures match the REST API, a status change made through the agent API shows
// within 1 s, a capacity change made on the page (a live configuration change) shows within 1 s and
// a refused queue change shows its error, and a screenshot is kept in the build tree.
// With --tls the same over HTTPS and WSS: the demo's configuration file with service.tls added,
// a throwaway self-signed certificate made per run with the openssl CLI (in a temporary directory,
// removed at the end) and trusted by the browser and by the REST calls (nothing else is); the page
// is on https:// and its WebSocket on wss://, and a plain-HTTP request to the port gets the
// documented 400 tls_required.
// Usage: node supervisor_page.mjs OMNI_CLI PLUGIN_DIR NODE_MODULES_DIR SCREENSHOT [--tls DEMO_CONFIG]
// Exit 0 pass, 1 fail, 77 skipped (no chromium; with --tls, no openssl).
import { spawn, spawnSync } from "node:child_process";
import { createHash, createHmac, randomBytes, X509Certificate } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [cli, pluginDir, modulesDir, screenshot, mode, demoConfig] = process.argv.slice(2);
const tls = mode === "--tls";
if (mode !== undefined && (!tls || !demoConfig)) {
  console.error("usage: node supervisor_page.mjs OMNI_CLI PLUGIN_DIR NODE_MODULES_DIR SCREENSHOT [--tls DEMO_CONFIG]");
  process.exit(2);
}
const chromiumPath = "/usr/bin/chromium";
if (!existsSync(chromiumPath)) {
  console.error("skipped: /usr/bin/chromium is not installed");
  process.exit(77);
}
if (tls && spawnSync("openssl", ["version"]).error) {
  console.error("skipped: the openssl command is not installed (Debian package openssl)");
  process.exit(77);
}
const require = createRequire(modulesDir + "/");
const { chromium } = require("playwright-core");

function fail(message) {
  console.error("FAIL: " + message);
  process.exitCode = 1;
}

// The environment without the caller's OMNI_ variables, plus `extra`.
function serverEnv(extra = {}) {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith("OMNI_")) delete env[k];
  return { ...env, ...extra };
}

// Starts `omni serve ARGS` on a free port; resolves with its base URL and what `ready` takes from
// its stdout once `ready` returns an object (null: not yet). Stopped at the end (`servers`).
const servers = [];
function startServer(args, env, ready) {
  return new Promise((resolve, reject) => {
    const child = spawn(cli, ["serve", ...args, "--listen", "127.0.0.1:0", "--plugins", pluginDir], { env });
    servers.push(child);
    let out = "";
    const timer = setTimeout(() => { child.kill("SIGKILL"); reject(new Error("omni serve did not start: " + out)); },
                             15000);
    child.stdout.on("data", d => {
      out += d;
      const listening = out.match(/listening on (https?:\/\/127\.0\.0\.1:\d+)/);
      const found = listening && ready(out);
      if (found) {
        clearTimeout(timer);
        resolve({ child, base: listening[1], ...found });
      }
    });
    child.stderr.on("data", () => {});
    child.on("exit", code => { clearTimeout(timer); reject(new Error(`omni serve exited ${code}: ${out}`)); });
  });
}

// The demo: its generated supervisor token and one agent's token are printed.
function startDemo() {
  return startServer([], serverEnv(), out => {
    const supervisor = out.match(/#token=([0-9a-f]{64})/);
    const agent = out.match(/e\.g\. ([\w-]+): ([0-9a-f]{64})/);
    return supervisor && agent && { supervisor: supervisor[1], agent: agent[1], agentToken: agent[2] };
  });
}

// A self-signed certificate for 127.0.0.1 and its unencrypted key, in `dir`.
function makeCertificate(dir) {
  const certificate = join(dir, "omni.crt"), privateKey = join(dir, "omni.key");
  const made = spawnSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
    "-nodes", "-keyout", privateKey, "-out", certificate, "-days", "1", "-subj", "/CN=127.0.0.1",
    "-addext", "subjectAltName=IP:127.0.0.1"], { encoding: "utf8" });
  if (made.status !== 0) throw new Error("openssl req failed: " + made.stderr);
  return { certificate, privateKey, pem: readFileSync(certificate, "utf8") };
}

// The demo's configuration from its file with service.tls, so its secrets come from the
// environment: made here, and the agent token computed as the service does (docs/API.md).
async function startTlsDemo(dir) {
  const cert = makeCertificate(dir);
  const config = JSON.parse(readFileSync(demoConfig, "utf8"));
  config.service.tls = { certificate: cert.certificate, private_key: cert.privateKey };
  const file = join(dir, "omni_tls.json");
  writeFileSync(file, JSON.stringify(config));
  const secret = () => randomBytes(32).toString("hex");
  const secrets = {};
  for (const name of ["OMNI_WHATSAPP_APP_SECRET", "OMNI_INSTAGRAM_APP_SECRET", "OMNI_VERIFY_TOKEN",
                      "OMNI_AGENT_TOKEN_SECRET", "OMNI_SUPERVISOR_TOKEN", "OMNI_GRAPH_ACCESS_TOKEN",
                      "OMNI_WEBCHAT_SITE_KEY"]) secrets[name] = secret();
  const server = await startServer([file], serverEnv(secrets), () => ({ supervisor: secrets.OMNI_SUPERVISOR_TOKEN }));
  server.ca = cert.pem;
  const agent = (await api(server, "/v1/config", { headers: { authorization: `Bearer ${server.supervisor}` } }))
    .json().agents[0].name;
  server.agent = agent;
  server.agentToken = createHmac("sha256", secrets.OMNI_AGENT_TOKEN_SECRET).update("agent:" + agent).digest("hex");
  // Chromium accepts this certificate's key despite its unknown issuer, and no other untrusted one
  // (base64 SHA-256 of its SubjectPublicKeyInfo; without it the page fails ERR_CERT_AUTHORITY_INVALID).
  const spki = new X509Certificate(cert.pem).publicKey.export({ type: "spki", format: "der" });
  server.browserArgs = ["--ignore-certificate-errors-spki-list=" + createHash("sha256").update(spki).digest("base64")];
  return server;
}

// One REST call on node's http/https (fetch takes no CA): over TLS only the run's certificate is
// trusted, and its name must match 127.0.0.1. `path` may be a whole URL.
function api(server, path, { method = "GET", headers = {}, body } = {}) {
  const url = new URL(path, server.base);
  const secure = url.protocol === "https:";
  return new Promise((resolve, reject) => {
    const request = (secure ? https : http).request(url, { method, headers, ...(secure ? { ca: server.ca } : {}) },
      response => {
        let text = "";
        response.setEncoding("utf8");
        response.on("data", d => { text += d; });
        response.on("end", () => resolve({ status: response.statusCode, text, json: () => JSON.parse(text) }));
      });
    request.on("error", reject);
    request.end(body);
  });
}

const tempDir = tls ? mkdtempSync(join(tmpdir(), "omni-tls-browser-")) : null;
let server = null, browser = null;
try {
  server = tls ? await startTlsDemo(tempDir) : await startDemo();
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true,
                                    args: ["--no-sandbox", ...(server.browserArgs ?? [])] });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on("pageerror", e => fail("page error: " + e.message));
  // The page's WebSockets and whether anything came in on them (the live figures).
  const sockets = [];
  page.on("websocket", ws => {
    const seen = { url: ws.url(), frames: 0 };
    sockets.push(seen);
    ws.on("framereceived", () => { ++seen.frames; });
  });
  await page.goto(`${server.base}/#token=${server.supervisor}`);
  await page.waitForSelector('#conn[data-state="live"]', { timeout: 5000 });
  await page.waitForSelector("#agents tbody tr", { timeout: 5000 });
  if (tls) {
    const where = await page.evaluate(() => ({ protocol: location.protocol, secure: window.isSecureContext }));
    if (where.protocol !== "https:" || !where.secure) fail(`the page is not on a secure https origin: ${JSON.stringify(where)}`);
    const live = sockets.filter(ws => ws.url.startsWith("wss://127.0.0.1:") && ws.url.includes("/v1/supervisor/ws"));
    if (live.length === 0) fail(`no wss:// supervisor WebSocket, the page opened ${JSON.stringify(sockets)}`);
    // The figures keep coming over it (a state every 500 ms).
    await page.waitForFunction(() => Number(document.getElementById("updated").dataset.count) >= 2, null,
      { timeout: 3000 }).catch(() => fail("the page's figures were not updated twice over wss://"));
    if (!live.some(ws => ws.frames >= 2)) fail(`the wss:// supervisor WebSocket carried ${JSON.stringify(live)}`);
    // One port, never both protocols: plain HTTP gets the documented 400 (docs/API.md "TLS").
    const plain = await api(server, server.base.replace("https://", "http://") + "/healthz");
    let error = null;
    try { error = plain.json().error; } catch {}
    if (plain.status !== 400 || error !== "tls_required") fail(`plain HTTP to the TLS port: ${plain.status} ${plain.text}`);
  }

  // Figures match the REST API (no traffic in the demo without --simulate: the state is stable).
  const auth = { authorization: `Bearer ${server.supervisor}` };
  const rest = (await api(server, "/v1/supervisor/state", { headers: auth })).json();
  const shown = await page.$$eval("#agents tbody tr", rows => rows.map(r => ({
    agent: r.dataset.agent,
    status: r.querySelector('[data-field="status"]').textContent,
    activity: r.querySelector('[data-field="activity"]').textContent,
    used: Number(r.querySelector('[data-field="used"]').textContent) })));
  if (shown.length !== rest.agents.length) fail(`page shows ${shown.length} agents, REST ${rest.agents.length}`);
  for (const a of rest.agents) {
    const s = shown.find(x => x.agent === a.agent);
    if (!s) { fail(`agent ${a.agent} missing from the page`); continue; }
    if (s.status !== a.status || s.activity !== a.activity || s.used !== a.used) {
      fail(`agent ${a.agent}: page ${JSON.stringify(s)} vs REST ${JSON.stringify(a)}`);
    }
  }
  const queues = await page.$$eval("#queues tbody tr", rows => rows.map(r => ({
    queue: r.dataset.queue, waiting: Number(r.querySelector('[data-field="waiting"]').textContent) })));
  for (const q of rest.queues) {
    const s = queues.find(x => x.queue === q.queue);
    if (!s || s.waiting !== q.waiting) fail(`queue ${q.queue}: page ${JSON.stringify(s)} vs REST waiting ${q.waiting}`);
  }

  // A status change through the agent API shows within 1 s.
  const started = Date.now();
  const response = await api(server, `/v1/agents/${server.agent}/status`, {
    method: "POST", headers: { authorization: `Bearer ${server.agentToken}`, "content-type": "application/json" },
    body: JSON.stringify({ status: "Lunch" }) });
  if (response.status !== 200) fail(`agent API answered ${response.status}`);
  try {
    await page.waitForFunction(agent => {
      const row = document.querySelector(`#agents tr[data-agent="${agent}"]`);
      return row && row.querySelector('[data-field="status"]').textContent === "Lunch" &&
             row.querySelector('[data-field="pause_cause"]').textContent === "lunch";
    }, server.agent, { timeout: 1000, polling: 20 });
    console.log(`status change shown after ${Date.now() - started} ms`);
  } catch {
    fail("the status change did not show within 1 s");
  }

  // A supervisor changes a status from the page.
  await page.selectOption(`select[data-agent="${server.agent}"]`, "Available");
  await page.locator("body").click({ position: { x: 5, y: 5 } });  // leave the menu so the page re-renders
  await page.waitForFunction(agent => document.querySelector(`#agents tr[data-agent="${agent}"] [data-field="status"]`)
    ?.textContent === "Available", server.agent, { timeout: 2000 }).catch(() => fail("the page's status change did not apply"));

  // A capacity change from the page: another presence configuration, applied live; the page's
  // capacity follows the REST state within 1 s.
  const config = (await api(server, "/v1/config", { headers: auth })).json();
  const current = config.agents.find(a => a.name === server.agent).presence_config;
  const before = (await api(server, "/v1/supervisor/state", { headers: auth })).json()
    .agents.find(a => a.agent === server.agent).capacity;
  // One whose capacity differs, so that the page has something to show.
  const other = config.presence_configs.find(p => p.name !== current && p.capacity !== before)?.name;
  if (!other) fail(`the demo has no presence configuration with another capacity than ${before}`);
  else {
    const changed = Date.now();
    await page.selectOption(`select[data-capacity="${server.agent}"]`, other);
    let expected = null;
    for (let i = 0; i < 50 && expected === null; ++i) {
      const now = (await api(server, "/v1/config", { headers: auth })).json();
      if (now.agents.find(a => a.name === server.agent).presence_config === other) {
        const state = (await api(server, "/v1/supervisor/state", { headers: auth })).json();
        expected = String(state.agents.find(a => a.agent === server.agent).capacity);
      } else await new Promise(r => setTimeout(r, 20));
    }
    if (expected === null) fail(`the capacity change to ${other} was not applied`);
    else if (expected === String(before)) fail(`the capacity stayed ${before} after the change to ${other}`);
    else await page.waitForFunction(([agent, capacity]) =>
      document.querySelector(`#agents tr[data-agent="${agent}"] [data-field="capacity"]`)?.textContent === capacity,
      [server.agent, expected], { timeout: 1000, polling: 20 })
      .then(() => console.log(`capacity change shown after ${Date.now() - changed} ms`))
      .catch(() => fail("the capacity change did not show within 1 s"));
  }
  // A refused change shows the kernel's error on the page.
  await page.fill(`input[data-queues="${server.agent}"]`, "no_such_queue");
  await page.click(`button[data-apply="${server.agent}"]`);
  await page.waitForFunction(() => document.getElementById("message").textContent.includes("refused_change"),
    null, { timeout: 2000 }).catch(() => fail("a refused queue change showed no error"));

  await page.screenshot({ path: screenshot, fullPage: true });
  console.log("screenshot: " + screenshot);
} catch (e) {
  fail(e.stack || String(e));
} finally {
  await browser?.close();
  for (const child of servers) child.kill("SIGTERM");
  if (tempDir) rmSync(tempDir, { recursive: true, force: true });
}
