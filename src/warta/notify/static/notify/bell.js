/* Keeps the notification badge in the top bar current: asks the server every 30 s while the tab
   is visible, and tells screen readers when the number of unread notifications changes. */
(function () {
  "use strict";
  var bell = document.querySelector(".notify-bell[data-count-url]");
  if (!bell || !window.fetch) return;
  var badge = bell.querySelector("[data-notify-badge]");
  var live = document.querySelector("[data-notify-live]");
  var INTERVAL = 30000;
  var timer = null;
  var last = badge && !badge.hidden ? parseInt(badge.textContent, 10) || 0 : 0;

  function label(n) {
    return n ? bell.dataset.labelSome.replace("%(n)s", n) : bell.dataset.labelNone;
  }

  function show(n) {
    if (badge) {
      badge.textContent = n > 99 ? "99+" : String(n);
      badge.hidden = n === 0;
    }
    bell.setAttribute("aria-label", label(n));
    if (live && n !== last && n > last) live.textContent = label(n);
    last = n;
  }

  function refresh() {
    fetch(bell.dataset.countUrl, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      cache: "no-store",
    })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        if (typeof data.unread === "number") show(data.unread);
      })
      .catch(function () { /* offline or signed out: keep the last number */ });
  }

  function start() {
    if (timer === null) timer = window.setInterval(refresh, INTERVAL);
  }

  function stop() {
    if (timer !== null) {
      window.clearInterval(timer);
      timer = null;
    }
  }

  document.addEventListener("visibilitychange", function () {
    if (document.hidden) {
      stop();
    } else {
      refresh();
      start();
    }
  });
  if (!document.hidden) start();
})();
