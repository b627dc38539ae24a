// The playground page (`GET /`) end to end in headless Chromium: Debian's `chromium` driven
// by playwright-core (npm, pinned in package-lock.json), against the release binary it starts
// on a free port. Typing data shows an image that zxing-cpp (PyPI) decodes to the data
// typed; changing an option reloads it (new URL, new size) and it still decodes; an invalid
// EAN shows the server's error in place; the URL and curl fields name the request; a parse
// describes a GS1 code; a dropped image is read and its box drawn over it. A phone-sized
// viewport keeps every control reachable. A screenshot goes to target/playground.png
// (PLAYGROUND_SCREENSHOT names another path: docs/playground.png is made so).
// Usage: node tests/playground/run.mjs   (env: CHROMIUM, BARCODED)
import { chromium } from "playwright-core";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const exe = process.env.BARCODED || join(root, "target", "release", "barcoded");
const browserPath = process.env.CHROMIUM || ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find(existsSync);
const tmp = mkdtempSync(join(tmpdir(), "barcoded-playground-"));
let failures = 0;

function check(ok, what) {
  console.log((ok ? "ok   " : "FAIL ") + what);
  if (!ok) failures++;
}

function freePort() {
  return new Promise((res) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => { const p = s.address().port; s.close(() => res(p)); });
  });
}

// zxing-cpp's reading of an image file: [format, text] of each barcode.
function zxing(bytes) {
  const f = join(tmp, "shot-" + Math.random().toString(36).slice(2) + ".img");
  writeFileSync(f, bytes);
  const py = "import sys, json, zxingcpp\nfrom PIL import Image\n" +
    "print(json.dumps([[str(b.format), b.text] for b in zxingcpp.read_barcodes(Image.open(sys.argv[1]).convert('L'))]))";
  return JSON.parse(execFileSync("python3", ["-c", py, f]).toString());
}

// The bytes of the image the page shows now.
async function shown(page) {
  const b = await page.evaluate(async () => {
    const img = document.querySelector("[data-testid=preview]");
    const buf = await (await fetch(img.src)).arrayBuffer();
    return Array.from(new Uint8Array(buf));
  });
  return Buffer.from(b);
}

const port = await freePort();
const server = spawn(exe, ["--listen", "127.0.0.1:" + port, "--admin-listen", "off", "--threads", "1"], { stdio: "ignore" });
const base = "http://127.0.0.1:" + port;
for (let i = 0; i < 100; i++) {
  try { if ((await fetch(base + "/healthz")).ok) break; } catch (_) { /* not yet */ }
  await new Promise((r) => setTimeout(r, 50));
}
const browser = await chromium.launch({ executablePath: browserPath, args: ["--no-sandbox"] });
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(base + "/");
  await page.waitForSelector("body[data-ready=true]");
  const options = await page.locator("[data-testid=symbology] option").count();
  check(options >= 37, `the symbology list comes from /v1/symbologies (${options})`);

  // Type data: the preview shows it, and zxing-cpp reads what is shown.
  await page.selectOption("[data-testid=symbology]", "qr");
  await page.fill("[data-testid=data]", "");
  await page.type("[data-testid=data]", "PLAYGROUND-42", { delay: 15 });
  await page.waitForFunction(() => (document.querySelector("[data-testid=preview]").dataset.url || "").includes("PLAYGROUND-42"));
  await page.waitForFunction(() => document.querySelector("[data-testid=preview]").naturalWidth > 0);
  const w1 = await page.evaluate(() => document.querySelector("[data-testid=preview]").naturalWidth);
  let read = zxing(await shown(page));
  check(read.length === 1 && read[0][1] === "PLAYGROUND-42", `the preview decodes to the data typed: ${JSON.stringify(read)}`);
  const url = await page.inputValue("[data-testid=url]");
  check(url === base + "/v1/qr/PLAYGROUND-42.png", `the URL field: ${url}`);
  check((await page.inputValue("[data-testid=curl]")).includes(url), "the curl line holds the URL");
  check(await page.isHidden("[data-testid=error]"), "no error shown for valid data");

  // Change an option: a new request, a bigger image, still the same data.
  await page.fill("[data-testid=option-scale]", "9");
  await page.waitForFunction(() => (document.querySelector("[data-testid=preview]").dataset.url || "").includes("scale=9"));
  await page.waitForFunction((w) => document.querySelector("[data-testid=preview]").naturalWidth > w, w1);
  const w2 = await page.evaluate(() => document.querySelector("[data-testid=preview]").naturalWidth);
  read = zxing(await shown(page));
  check(read.length === 1 && read[0][1] === "PLAYGROUND-42", `after scale=9 (${w1} -> ${w2} px) it still decodes: ${JSON.stringify(read)}`);
  await page.selectOption("[data-testid=option-ecc]", "H");
  await page.waitForFunction(() => (document.querySelector("[data-testid=preview]").dataset.url || "").includes("ecc=H"));
  read = zxing(await shown(page));
  check(read.length === 1 && read[0][1] === "PLAYGROUND-42", "ecc=H: reloaded and decodes");

  // An invalid EAN-13 (wrong check digit): the server's message in place.
  await page.selectOption("[data-testid=symbology]", "ean13");
  await page.fill("[data-testid=data]", "5901234123458");
  await page.waitForSelector("[data-testid=error]:not([hidden])");
  const err = await page.textContent("[data-testid=error]");
  check(/check digit/.test(err) && /check_digit/.test(err), `an invalid EAN shows the error: ${err}`);
  await page.fill("[data-testid=data]", "5901234123457");
  await page.waitForSelector("[data-testid=error]", { state: "hidden" });
  read = zxing(await shown(page));
  check(read.length === 1 && read[0][1] === "5901234123457", `the corrected EAN decodes: ${JSON.stringify(read)}`);

  // Parse a scanned GS1 code.
  await page.fill("[data-testid=parse-input]", "(01)09506000134352(17)261231");
  await page.waitForFunction(() => document.querySelector("[data-testid=parse-result]").textContent.includes("09506000134352"));
  const parsed = await page.textContent("[data-testid=parse-result]");
  check(/valid/.test(parsed) && parsed.includes("USE BY"), "the parse box describes the GS1 code");

  // A dropped (chosen) image: read, with its box over it.
  const png = Buffer.from(await (await fetch(base + "/v1/datamatrix/DROPPED-7.png?scale=6")).arrayBuffer());
  const file = join(tmp, "dropped.png");
  writeFileSync(file, png);
  await page.setInputFiles("[data-testid=decode-input]", file);
  await page.waitForFunction(() => document.querySelector("[data-testid=decode-result]").textContent.includes("DROPPED-7"));
  const boxes = await page.locator("#boxes polygon").count();
  check(boxes === 1, `the image's result is shown with ${boxes} box drawn`);
  // The box lies on the symbol: inside the image as shown, and most of it.
  const fit = await page.evaluate(() => {
    const img = document.getElementById("decoded").getBoundingClientRect();
    const box = document.querySelector("#boxes polygon").getBoundingClientRect();
    return { inside: box.left >= img.left - 2 && box.top >= img.top - 2 && box.right <= img.right + 2 && box.bottom <= img.bottom + 2,
      share: (box.width * box.height) / (img.width * img.height) };
  });
  check(fit.inside && fit.share > 0.4, `the box is drawn over the symbol (${JSON.stringify(fit)})`);
  const dropText = await page.textContent("[data-testid=decode-result]");
  check(/datamatrix/i.test(dropText), `the result names the format: ${dropText.trim()}`);

  // Back to a QR for the picture, then the picture.
  await page.selectOption("[data-testid=symbology]", "qr");
  await page.waitForFunction(() => (document.querySelector("[data-testid=preview]").dataset.url || "").includes("/v1/qr/"));
  await page.screenshot({ path: process.env.PLAYGROUND_SCREENSHOT || join(root, "target", "playground.png"), fullPage: true });

  // A phone: no control wider than the screen, every testid visible or scrollable to.
  const phone = await browser.newPage({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
  await phone.goto(base + "/");
  await phone.waitForSelector("body[data-ready=true]");
  const wide = await phone.evaluate(() => document.documentElement.scrollWidth);
  check(wide <= 375, `on a 375 px phone the page is ${wide} px wide`);
  for (const id of ["symbology", "data", "preview", "url", "parse-input", "decode-input"]) {
    const el = phone.locator(`[data-testid=${id}]`);
    await el.scrollIntoViewIfNeeded();
    check(await el.isVisible(), `phone: ${id} is reachable`);
  }
  // Every form control has a label.
  const unlabeled = await page.evaluate(() => [...document.querySelectorAll("input, select")]
    .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute("aria-label")).map((e) => e.id));
  check(unlabeled.length === 0, `every control has a label (${unlabeled.join(", ") || "all"})`);
  check(errors.length === 0, `no script errors (${errors.join("; ")})`);
} finally {
  await browser.close();
  server.kill();
}
if (failures) {
  console.log(`playground: ${failures} check(s) failed`);
  process.exit(1);
}
console.log("playground: every check passed");
