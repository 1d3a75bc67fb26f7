/** The page's stylesheet: report.html's look, plus the form, the run list and the live parts. */
import { REPORT_CSS } from '../report/html.js';

export const PAGE_CSS = `${REPORT_CSS}
body { max-width: 1500px; }
header h1 .meta { font-size: 0.95rem; font-weight: normal; }
main { display: grid; grid-template-columns: 330px 1fr; gap: 2rem; align-items: start; }
#side h2:first-child, #view h2:first-child { margin-top: 0; }
#side h2 { margin-top: 1.2rem; }
form label { display: block; font-size: 0.85rem; color: #555; margin: 0.45rem 0 0.1rem; }
form input, form select { font: inherit; font-size: 0.9rem; padding: 0.15rem 0.3rem; box-sizing: border-box; }
form input[type=text], form input[type=number], form select { width: 100%; }
form .row { display: grid; grid-template-columns: 1fr 1fr; gap: 0 0.6rem; }
form .inits .init { border: 1px solid #ddd; border-radius: 4px; padding: 0.3rem 0.4rem; margin: 0.3rem 0; }
form .inits .params { display: grid; grid-template-columns: 1fr 1fr; gap: 0 0.5rem; }
form .inits .head { display: grid; grid-template-columns: 1fr auto; gap: 0.4rem; align-items: center; }
form .preset-note { font-size: 0.8rem; color: #555; margin: 0.2rem 0; }
form details.more > summary { font-size: 0.85rem; color: #555; margin: 0.45rem 0 0.1rem; cursor: pointer; }
button { font: inherit; font-size: 0.9rem; padding: 0.2rem 0.7rem; cursor: pointer; }
button.primary { background: #16733a; color: #fff; border: 1px solid #10592c; border-radius: 4px; padding: 0.35rem 1rem; margin-top: 0.8rem; }
.errors { color: #b00020; font-size: 0.85rem; white-space: pre-wrap; }
.errors ul { margin: 0.3rem 0; padding-left: 1.1rem; }
.errors p { margin: 0.3rem 0; }
form [aria-invalid=true] { outline: 2px solid #b00020; outline-offset: 1px; }
form .init.invalid { border-color: #b00020; }
#runs { max-height: 40vh; overflow-y: auto; }
#runs { list-style: none; padding: 0; margin: 0; font-size: 0.85rem; }
#runs li { border-bottom: 1px solid #eee; padding: 0.35rem 0; }
#runs li.current { background: #f4f8f5; }
#runs .state { font-weight: bold; } #runs .files a { margin-right: 0.5rem; }
#runs button { font-size: 0.8rem; padding: 0.05rem 0.45rem; margin-right: 0.3rem; }
.state-running, .state-starting { color: #16733a; } .state-stopping, .state-interrupted { color: #a35a00; } .state-failed { color: #b00020; }
#run-head h2 { margin: 0 0 0.2rem; }
#epoch-pick input { vertical-align: middle; width: 12rem; }
.charts { grid-template-columns: repeat(auto-fit, minmax(440px, 1fr)); }
.charts figure svg { width: 100%; max-width: 560px; height: auto; }
svg text { font-family: sans-serif; }
`;
