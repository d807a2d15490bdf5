// Checks LaTeX formulas with the KaTeX the portal serves (static/vendor/katex), so a formula that the
// browser could not render is refused when it is saved or imported (materials/latex.py).
// stdin: a JSON list of [tex, displayMode]; stdout: a JSON list of error messages (null when it parses).
"use strict";
const fs = require("fs");
const path = require("path");
const dir = path.resolve(process.argv[2]);
const katex = require(path.join(dir, "katex.min.js"));
// mhchem (\ce, \pu for chemistry) is a UMD bundle asking for require("katex"): hand it ours.
const mhchem = fs.readFileSync(path.join(dir, "mhchem.min.js"), "utf8");
new Function("exports", "module", "require", mhchem)({}, { exports: {} }, () => katex);
let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const out = JSON.parse(input).map(([tex, display]) => {
    try {
      katex.renderToString(tex, { displayMode: !!display, throwOnError: true, strict: "ignore", trust: false, maxSize: 50, maxExpand: 1000 });
      return null;
    } catch (error) {
      return error instanceof katex.ParseError ? error.message : String(error);
    }
  });
  process.stdout.write(JSON.stringify(out));
});
