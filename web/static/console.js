// adscan console: keyboard shortcuts for fast triage. No inline script
// (the Content-Security-Policy forbids it); the pages work without this.
(function () {
  "use strict";
  function typing(e) {
    var t = e.target;
    return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
  }
  function click(id) {
    var el = document.getElementById(id);
    if (el) { el.click(); return true; }
    return false;
  }
  function follow(id) {
    var el = document.getElementById(id);
    if (el && el.href) { window.location.href = el.href; return true; }
    return false;
  }
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e)) { return; }
    var note = document.getElementById("note");
    var done = false;
    switch (e.key) {
      case "c": done = click("decide-confirm"); break;
      case "e": done = click("decide-escalate"); break;
      case "d":
        // A dismissal needs its reason: type it, then press Enter.
        if (note && document.getElementById("decide-dismiss")) {
          note.focus();
          note.dataset.submit = "dismiss";
          done = true;
        }
        break;
      case "/": if (note) { note.focus(); done = true; } break;
      case "n": done = follow("next-case") || follow("next-page"); break;
      case "p": done = follow("prev-case"); break;
    }
    if (done) { e.preventDefault(); }
  });
  var note = document.getElementById("note");
  if (note) {
    note.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey && note.dataset.submit) {
        e.preventDefault();
        click("decide-" + note.dataset.submit);
      }
      if (e.key === "Escape") { note.blur(); delete note.dataset.submit; }
    });
  }
})();
