// Two small aids for typed text, loaded without `defer` at the end of the page so that it runs
// before the rich-text editor starts (the editor reads its textarea once, when it starts).
//  1. A live character count beside every textarea with a `maxlength` and `data-counter`.
//  2. The new coverage note form keeps a copy of what was typed in this browser (like the
//     editor's autosave does) until the note is saved, and offers it back when reopened.
(function () {
  "use strict";

  // 1. Character counters.
  document.querySelectorAll("textarea[maxlength][data-counter]").forEach(function (box) {
    var out = document.getElementById(box.dataset.counter);
    if (!out) return;
    var limit = parseInt(box.getAttribute("maxlength"), 10);
    function update() {
      var used = box.value.length;
      out.textContent = used + " / " + limit;
      out.classList.toggle("bad", used >= limit);
      // Announced only near the limit, not at every keystroke.
      if (used >= limit * 0.9) out.setAttribute("aria-live", "polite");
      else out.removeAttribute("aria-live");
    }
    box.addEventListener("input", update);
    update();
  });

  // 1b. A choice that needs a reason (return, refuse) with an empty note: say so beside the
  //     note and take the person there, instead of a round trip to the server.
  document.querySelectorAll("button[data-reason-required]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      var box = document.getElementById(button.dataset.reasonRequired);
      if (!box || box.value.trim()) return;
      event.preventDefault();
      var hint = document.getElementById(box.id + "-hint");
      if (hint) hint.hidden = false;
      box.setAttribute("aria-invalid", "true");
      box.scrollIntoView({ block: "center" });
      box.focus();
    });
  });

  // 2. The local copy of the new coverage note.
  var SENT = "-sent";
  function storage(kind) {
    try { var s = window[kind]; s.getItem("x"); return s; } catch (e) { return null; }
  }
  var local = storage("localStorage"), session = storage("sessionStorage");
  if (!local || !session) return;

  var form = document.getElementById("new-item-form");
  if (!form) {
    // Any other page: a note sent from the form in this tab reached the server if this page
    // was opened from the form, so its copy is no longer needed.
    for (var i = session.length - 1; i >= 0; i--) {
      var name = session.key(i);
      if (!name || name.indexOf("warta-new-item-") !== 0 || name.slice(-SENT.length) !== SENT) continue;
      var from = session.getItem(name);
      var referrer = "";
      try { referrer = document.referrer ? new URL(document.referrer).pathname : ""; } catch (e) {}
      if (!referrer || referrer === from) local.removeItem(name.slice(0, -SENT.length));
      session.removeItem(name);
    }
    return;
  }

  var key = form.dataset.draftKey;
  var fields = ["title", "activity_name", "activity_at", "place", "covered_by", "notes", "body"];
  function value(name) { var el = form.elements[name]; return el ? el.value : ""; }
  function snapshot() {
    var data = {};
    fields.forEach(function (name) { data[name] = value(name); });
    return data;
  }
  function keep() { try { local.setItem(key, JSON.stringify(snapshot())); } catch (e) {} }

  // Back on the form after sending it: the server refused it (the page shows why) or the
  // connection failed. Either way the copy stays.
  session.removeItem(key + SENT);

  var kept = null;
  try { kept = JSON.parse(local.getItem(key) || "null"); } catch (e) { kept = null; }
  if (kept) {
    var differs = fields.some(function (name) {
      return typeof kept[name] === "string" && kept[name] !== "" && kept[name] !== value(name);
    });
    if (differs && window.confirm(form.dataset.msgRestore)) {
      fields.forEach(function (name) {
        var el = form.elements[name];
        if (el && typeof kept[name] === "string") el.value = kept[name];
      });
    } else if (!differs) {
      keep();
    }
  }

  var timer = null;
  form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(keep, 400); });
  form.addEventListener("change", keep);
  form.addEventListener("submit", function () {
    clearTimeout(timer);
    keep();
    session.setItem(key + SENT, window.location.pathname);
  });
  window.addEventListener("pagehide", function () { clearTimeout(timer); keep(); });
})();
