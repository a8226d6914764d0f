// Run tests/site/probe.js on pages of the built site in Firefox ESR, driven by puppeteer-core
// over WebDriver BiDi, and print one JSON object: {page: {width: report}}.
// Usage: node firefox.mjs FIREFOX BASE_URL WIDTH[,WIDTH...] PAGE [PAGE...]
import { readFileSync } from "node:fs";
import puppeteer from "puppeteer-core";

const [executablePath, base, widths, ...pages] = process.argv.slice(2);
const probe = readFileSync(new URL("./probe.js", import.meta.url), "utf8");
const browser = await puppeteer.launch({ browser: "firefox", executablePath, headless: true });
const reports = {};
try {
  const page = await browser.newPage();
  const [first, ...others] = widths.split(",").map(Number);
  const frames = "new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))";
  for (const path of pages) {
    reports[path] = {};
    // The page loads once, at the first width; at each other width it is laid out again, as
    // when a reader turns a tablet or resizes the window.
    await page.setViewport({ width: first, height: 900 });
    await page.goto(`${base}/${path}`, { waitUntil: "load" });
    reports[path][first] = await page.evaluate(`(${probe})()`);
    for (const width of others) {
      await page.setViewport({ width, height: 900 });
      await page.evaluate(frames);
      reports[path][width] = await page.evaluate(`(${probe})()`);
    }
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(reports));
