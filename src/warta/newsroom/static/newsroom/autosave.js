// Autosave for the draft editor: posts the text a few seconds after the last change, keeps an
// unsaved copy in localStorage so a closed tab or a dropped connection loses nothing.
(function () {
  "use strict";
  var form = document.getElementById("draft-form");
  if (!form) return;
  var status = document.getElementById("autosave-status");
  var url = form.dataset.autosaveUrl;
  var key = "warta-draft-" + form.dataset.item;
  var fields = ["title", "body", "activity_name", "place", "covered_by", "notes"];
  var version = form.querySelector("[name=base_version]");
  var timer = null, saving = false, dirty = false, submitting = false, restoring = false;

  function value(name) { var el = form.elements[name]; return el ? el.value : ""; }
  function snapshot() {
    var data = { base_version: version.value, saved: false };
    fields.forEach(function (name) { data[name] = value(name); });
    form.querySelectorAll("input[name^=caption-]").forEach(function (el) { data[el.name] = el.value; });
    return data;
  }
  function show(text, bad) { status.textContent = text; status.classList.toggle("bad", !!bad); }
  function keepLocal() { try { localStorage.setItem(key, JSON.stringify(snapshot())); } catch (e) {} }

  function save() {
    if (saving || !dirty) return;
    saving = true; dirty = false;
    var data = snapshot();
    var body = new FormData();
    Object.keys(data).forEach(function (name) { if (name !== "saved") body.append(name, data[name]); });
    body.append("csrfmiddlewaretoken", value("csrfmiddlewaretoken"));
    show(form.dataset.msgSaving);
    fetch(url, { method: "POST", body: body, credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { return r.json().then(function (j) { return { status: r.status, json: j }; }); })
      .then(function (res) {
        saving = false;
        if (res.json.ok) {
          version.value = res.json.version;
          try { localStorage.removeItem(key); } catch (e) {}
          var now = new Date();
          show(form.dataset.msgSaved + " " + now.toTimeString().slice(0, 5));
          if (restoring) { window.location.reload(); return; }
          if (dirty) schedule();
        } else {
          keepLocal();
          show(res.json.error, true);
        }
      })
      .catch(function () {
        saving = false; dirty = true; keepLocal();
        show(form.dataset.msgOffline, true);
        timer = setTimeout(save, 10000);
      });
  }
  function schedule() { dirty = true; keepLocal(); clearTimeout(timer); timer = setTimeout(save, 2500); }

  form.addEventListener("input", function (event) {
    var name = event.target.name || "";
    if (fields.indexOf(name) >= 0 || name.indexOf("caption-") === 0) schedule();
  });
  form.addEventListener("submit", function () { submitting = true; clearTimeout(timer); });
  window.addEventListener("online", function () { if (dirty) save(); });
  window.addEventListener("beforeunload", function (event) {
    if (dirty && !submitting) { keepLocal(); event.preventDefault(); event.returnValue = ""; }
  });

  // Offer back what this browser kept and the server never received.
  try {
    var kept = JSON.parse(localStorage.getItem(key) || "null");
    if (kept && kept.base_version === version.value) {
      var differs = fields.some(function (name) { return kept[name] !== undefined && kept[name] !== value(name); });
      if (differs && window.confirm(form.dataset.msgRestore)) {
        fields.forEach(function (name) {
          var el = form.elements[name];
          if (el && kept[name] !== undefined) { el.value = kept[name]; }
        });
        restoring = true; dirty = true; save();
      } else if (!differs) { localStorage.removeItem(key); }
    }
  } catch (e) {}
})();
