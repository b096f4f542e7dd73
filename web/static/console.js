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
    // A decision takes two keys: its letter puts the cursor in the note
    // (a dismissal needs its reason there) and Enter takes it; Esc lets it
    // go. One stray keypress must not refer a case to 市场监管.
    function arm(decision, prompt) {
      if (!note || !document.getElementById("decide-" + decision)) { return false; }
      note.focus();
      note.dataset.submit = decision;
      note.dataset.placeholder = note.dataset.placeholder || note.placeholder;
      note.placeholder = prompt;
      return true;
    }
    switch (e.key) {
      case "c": done = arm("confirm", "按 Enter 确认违规（可先写说明），Esc 取消"); break;
      case "e": done = arm("escalate", "按 Enter 上报（可先写说明），Esc 取消"); break;
      case "d": done = arm("dismiss", "写下驳回理由，按 Enter 驳回，Esc 取消"); break;
      case "/": if (note) { note.focus(); done = true; } break;
      case "n": done = follow("next-case") || follow("next-page"); break;
      case "p": done = follow("prev-case"); break;
    }
    if (done) { e.preventDefault(); }
  });
  // A form marked data-confirm (deleting a schedule) asks first.
  document.addEventListener("submit", function (e) {
    var msg = e.target && e.target.getAttribute && e.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) { e.preventDefault(); }
  });
  var note = document.getElementById("note");
  if (note) {
    note.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey && note.dataset.submit) {
        e.preventDefault();
        click("decide-" + note.dataset.submit);
      }
      if (e.key === "Escape") {
        note.blur();
        delete note.dataset.submit;
        if (note.dataset.placeholder !== undefined) { note.placeholder = note.dataset.placeholder; }
      }
    });
  }
})();
