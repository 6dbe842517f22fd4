/**
 * The consoles' stylesheet, served from /console/console.css (the CSP forbids inline styles).
 * Kept as a string in a module so the build needs no extra copy step. Colours pass 4.5:1.
 */
export const CONSOLE_CSS = `
:root { color-scheme: light; --ink: #1b1f24; --muted: #4a5361; --line: #c9d1db; --link: #0b4fa8; --bad: #a1131a; --bg: #ffffff; --band: #f3f5f8; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg); }
header { background: var(--band); border-bottom: 1px solid var(--line); padding: 0.5rem 1.5rem; }
.brand { margin: 0; font-weight: 600; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 1.75rem; margin: 0.5rem 0; }
h2 { font-size: 1.35rem; margin: 2rem 0 0.5rem; border-bottom: 2px solid var(--line); padding-bottom: 0.25rem; }
h3 { font-size: 1.1rem; margin: 1.5rem 0 0.25rem; }
a { color: var(--link); }
a:focus-visible, a:focus { outline: 3px solid var(--link); outline-offset: 2px; }
.skip { position: absolute; left: -999px; top: 0; background: var(--bg); padding: 0.5rem; }
.skip:focus { left: 0.5rem; }
.filters { list-style: none; padding: 0; margin: 0.5rem 0; display: flex; flex-wrap: wrap; gap: 0.75rem; }
.filters a[aria-current="page"] { font-weight: 700; color: var(--ink); }
table { border-collapse: collapse; width: 100%; margin: 0.5rem 0 1rem; }
caption { text-align: left; font-weight: 600; padding: 0.25rem 0; }
th, td { text-align: left; vertical-align: top; border-bottom: 1px solid var(--line); padding: 0.4rem 0.5rem; }
th { background: var(--band); }
.id { color: var(--muted); font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.85em; }
.bad { color: var(--bad); }
.note { color: var(--muted); font-size: 0.9em; }
.examples { margin: 0; padding-left: 1.1rem; }
@media (max-width: 40rem) { main { padding: 0.5rem 0.75rem 2rem; } th, td { padding: 0.3rem; } }
`;
