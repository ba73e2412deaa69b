// Drives the node's status page in headless Chromium for tests/status_page.rs.
//
//   node status_page.js <page-url> [chromium]
//
// Opens the page once and then answers commands read from stdin, one a line, with one
// JSON line each on stdout:
//   snapshot          what a person sees: each section's rendered text and each table
//                     row's cell texts, plus whether the page was reloaded meanwhile
//   screenshot <path> saves a full-page PNG
//   quit
// Needs the npm package playwright-core (scripts/install-tools.sh) and Debian's chromium.
"use strict";
const readline = require("node:readline");
const { chromium } = require("playwright-core");

const [url, executable = process.env.WAVS_CHROMIUM || "/usr/bin/chromium"] = process.argv.slice(2);

function reply(value) {
  process.stdout.write(JSON.stringify(value) + "\n");
}

// Collected inside the page: only what is rendered (innerText skips hidden elements).
function collect() {
  const text = el => (el && !el.hidden ? el.innerText.trim() : "");
  const rows = sel => [...document.querySelectorAll(sel)].map(tr => ({
    key: tr.dataset.chain ?? tr.dataset.adapter ?? tr.dataset.refused ?? tr.dataset.seq ?? "",
    cells: [...tr.cells].map(td => td.innerText.trim()),
    text: tr.innerText.trim(),
  }));
  return {
    title: document.title,
    marker: window.__statusPageTest === "same document",
    refreshes: Number(document.getElementById("updated").dataset.refreshes || 0),
    banner: text(document.getElementById("banner")),
    sections: Object.fromEntries(["summary", "chains", "adapters", "services", "executions"]
      .map(id => [id, text(document.getElementById(id + "-section"))])),
    chains: rows("#chains tr[data-chain]"),
    adapters: rows("#adapters tr[data-adapter]"),
    refused: rows("#adapters tr[data-refused]"),
    executions: rows("#executions tr[data-seq]"),
    services: [...document.querySelectorAll("#services [data-service]")].map(s => s.innerText.trim()),
  };
}

async function main() {
  const browser = await chromium.launch({ executablePath: executable, headless: true, chromiumSandbox: false });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const consoleErrors = [];
    page.on("console", m => { if (m.type() === "error") consoleErrors.push(m.text()); });
    page.on("pageerror", e => consoleErrors.push(String(e)));
    let loads = 0;
    page.on("load", () => { loads += 1; });
    const response = await page.goto(url, { waitUntil: "load" });
    if (!response || !response.ok()) throw new Error(`GET ${url}: ${response ? response.status() : "no response"}`);
    const contentType = response.headers()["content-type"] || "";
    // The first round of polling has rendered.
    await page.waitForFunction(() => Number(document.getElementById("updated").dataset.refreshes || 0) >= 1, null, { timeout: 15000 });
    await page.evaluate(() => { window.__statusPageTest = "same document"; });

    const lines = readline.createInterface({ input: process.stdin });
    for await (const line of lines) {
      const [command, ...rest] = line.trim().split(" ");
      if (command === "snapshot") {
        reply({ ...(await page.evaluate(collect)), loads, contentType, consoleErrors });
      } else if (command === "screenshot") {
        await page.screenshot({ path: rest.join(" "), fullPage: true });
        reply({ saved: rest.join(" ") });
      } else if (command === "quit") {
        break;
      } else {
        reply({ error: `unknown command ${command}` });
      }
    }
  } finally {
    await browser.close();
  }
}

main().then(() => process.exit(0), e => {
  reply({ error: String(e && e.stack || e) });
  process.exit(1);
});
