/* The editor's media cards: set a photo's focus point by tapping it, choose a video's poster,
   and follow the processing of new media until their renditions are ready. No build step. */
(function () {
  "use strict";
  var list = document.getElementById("media-list");
  if (!list) return;
  var form = document.getElementById("draft-form");
  var csrf = form ? form.querySelector("input[name=csrfmiddlewaretoken]").value : "";
  var POLL_MS = 3000;
  var timer = null;

  function place(picker) {
    var marker = picker.querySelector(".focus-marker");
    if (!marker) return;
    marker.style.left = (parseFloat(picker.dataset.x) * 100) + "%";
    marker.style.top = (parseFloat(picker.dataset.y) * 100) + "%";
  }

  function replaceCard(html) {
    var holder = document.createElement("div");
    holder.innerHTML = html.trim();
    var card = holder.firstElementChild;
    if (!card) return;
    var old = document.getElementById(card.id);
    if (old) old.replaceWith(card); else list.appendChild(card);
    card.querySelectorAll(".focus-picker").forEach(place);
    schedule();
  }

  function post(url, data) {
    var body = new URLSearchParams(data);
    return fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: {"X-CSRFToken": csrf, "Accept": "application/json"}
    }).then(function (response) { return response.json(); });
  }

  function show(card, message) {
    var note = card.querySelector(".media-note");
    if (!note) {
      note = document.createElement("p");
      note.className = "small media-note";
      note.setAttribute("role", "status");
      card.appendChild(note);
    }
    note.textContent = message;
  }

  list.addEventListener("click", function (event) {
    var picker = event.target.closest(".focus-picker");
    if (picker) {
      var box = picker.querySelector("img").getBoundingClientRect();
      var x = Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
      var y = Math.min(1, Math.max(0, (event.clientY - box.top) / box.height));
      picker.dataset.x = x; picker.dataset.y = y; place(picker);
      var card = picker.closest(".media-card");
      post(picker.dataset.focusUrl, {x: x.toFixed(4), y: y.toFixed(4)}).then(function (answer) {
        if (answer.ok) { replaceCard(answer.html); show(document.getElementById(card.id), list.dataset.msgFocusSaved); }
        else show(card, answer.error);
      }).catch(function () { show(card, list.dataset.msgNetwork); });
      return;
    }
    var option = event.target.closest(".poster-option");
    if (option) {
      event.preventDefault();
      var posterCard = option.closest(".media-card");
      post(option.getAttribute("formaction"), {time: option.value}).then(function (answer) {
        if (answer.ok) replaceCard(answer.html); else show(posterCard, answer.error);
      }).catch(function () { show(posterCard, list.dataset.msgNetwork); });
    }
  });

  function pending() {
    return Array.prototype.map.call(
      list.querySelectorAll('.media-card[data-state="processing"]'),
      function (card) { return card.dataset.asset; });
  }

  function poll() {
    timer = null;
    var ids = pending();
    if (!ids.length) return;
    var query = ids.map(function (id) { return "id=" + encodeURIComponent(id); }).join("&");
    fetch(list.dataset.statusUrl + "?" + query, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        (answer.media || []).forEach(function (media) {
          if (media.state !== "processing") replaceCard(media.html);
        });
      })
      .finally(schedule);
  }

  function schedule() {
    if (!timer && pending().length) timer = setTimeout(poll, POLL_MS);
  }

  list.querySelectorAll(".focus-picker").forEach(place);
  function added() {
    var empty = document.getElementById("no-photos");
    if (empty) empty.hidden = true;
    schedule();
  }
  list.addEventListener("warta:media-added", added);
  schedule();
})();
