// Renders ZPL labels with zpl-renderer-js (Zebrash in WASM), a second independent ZPL
// renderer for tests/labels. Reads a JSON array of {zpl, width_mm, height_mm, dpmm, out}
// on stdin and writes each label's PNG to its `out` path; prints one line per label.
import { ready } from "zpl-renderer-js";
import fs from "node:fs";

const jobs = JSON.parse(fs.readFileSync(0, "utf8"));
const { api } = await ready;
for (const j of jobs) {
  try {
    const png = await api.zplToBase64Async(j.zpl, j.width_mm, j.height_mm, j.dpmm);
    fs.writeFileSync(j.out, Buffer.from(png, "base64"));
    console.log(`ok ${j.out}`);
  } catch (e) {
    console.log(`error ${j.out} ${String(e).replace(/\n/g, " ")}`);
  }
}
