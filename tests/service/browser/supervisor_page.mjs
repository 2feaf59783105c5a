// The supervisor page in a real browser (Debian's chromium driven by playwright-core): it loads,
// goes live, its figures match the REST API, a status change made through the agent API shows
// within 1 s, a capacity change made on the page (a live configuration change) shows within 1 s and
// a refused queue change shows its error, and a screenshot is kept in the build tree.
// Usage: node supervisor_page.mjs OMNI_CLI PLUGIN_DIR NODE_MODULES_DIR SCREENSHOT
// Exit 0 pass, 1 fail, 77 skipped (no chromium).
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";

const [cli, pluginDir, modulesDir, screenshot] = process.argv.slice(2);
const chromiumPath = "/usr/bin/chromium";
if (!existsSync(chromiumPath)) {
  console.error("skipped: /usr/bin/chromium is not installed");
  process.exit(77);
}
const require = createRequire(modulesDir + "/");
const { chromium } = require("playwright-core");

function fail(message) {
  console.error("FAIL: " + message);
  process.exitCode = 1;
}

// Starts `omni serve` (the demo) on a free port; resolves with its address and printed tokens.
function startServer() {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    for (const k of Object.keys(env)) if (k.startsWith("OMNI_")) delete env[k];
    const child = spawn(cli, ["serve", "--listen", "127.0.0.1:0", "--plugins", pluginDir], { env });
    let out = "";
    const timer = setTimeout(() => reject(new Error("omni serve did not start: " + out)), 15000);
    child.stdout.on("data", d => {
      out += d;
      const port = out.match(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
      const supervisor = out.match(/#token=([0-9a-f]{64})/);
      const agent = out.match(/e\.g\. ([\w-]+): ([0-9a-f]{64})/);
      if (port && supervisor && agent) {
        clearTimeout(timer);
        resolve({ child, base: `http://127.0.0.1:${port[1]}`, supervisor: supervisor[1], agent: agent[1], agentToken: agent[2] });
      }
    });
    child.stderr.on("data", () => {});
    child.on("exit", code => reject(new Error(`omni serve exited ${code}: ${out}`)));
  });
}

const server = await startServer();
const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ["--no-sandbox"] });
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on("pageerror", e => fail("page error: " + e.message));
  await page.goto(`${server.base}/#token=${server.supervisor}`);
  await page.waitForSelector('#conn[data-state="live"]', { timeout: 5000 });
  await page.waitForSelector("#agents tbody tr", { timeout: 5000 });

  // Figures match the REST API (no traffic in the demo without --simulate: the state is stable).
  const rest = await (await fetch(`${server.base}/v1/supervisor/state`, {
    headers: { authorization: `Bearer ${server.supervisor}` } })).json();
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
  const response = await fetch(`${server.base}/v1/agents/${server.agent}/status`, {
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
  const auth = { authorization: `Bearer ${server.supervisor}` };
  const config = await (await fetch(`${server.base}/v1/config`, { headers: auth })).json();
  const current = config.agents.find(a => a.name === server.agent).presence_config;
  const before = (await (await fetch(`${server.base}/v1/supervisor/state`, { headers: auth })).json())
    .agents.find(a => a.agent === server.agent).capacity;
  // One whose capacity differs, so that the page has something to show.
  const other = config.presence_configs.find(p => p.name !== current && p.capacity !== before)?.name;
  if (!other) fail(`the demo has no presence configuration with another capacity than ${before}`);
  else {
    const changed = Date.now();
    await page.selectOption(`select[data-capacity="${server.agent}"]`, other);
    let expected = null;
    for (let i = 0; i < 50 && expected === null; ++i) {
      const now = await (await fetch(`${server.base}/v1/config`, { headers: auth })).json();
      if (now.agents.find(a => a.name === server.agent).presence_config === other) {
        const state = await (await fetch(`${server.base}/v1/supervisor/state`, { headers: auth })).json();
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
  await browser.close();
  server.child.kill("SIGTERM");
}
