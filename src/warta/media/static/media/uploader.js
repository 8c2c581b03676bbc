/* Photo and video uploader: drop zone or file picker (the camera roll on a phone), one row per
   file with a progress bar, resumable tus 1.0.0 uploads in chunks, a few files at a time.
   A dropped connection retries with back-off and continues from the offset the server reports;
   a reloaded page finds the upload again in localStorage when the same file is chosen again.
   A finished upload is attached by posting its id to data-attach-url. No build step. */
(function () {
  "use strict";
  var TUS = "1.0.0";
  // The default piece size (data-chunk overrides it); at most WARTA_UPLOAD_CHUNK_MB on the server.
  var CHUNK = 5 * 1024 * 1024;
  var PARALLEL = 3;
  var MAX_ATTEMPTS = 8;
  var KEY = "warta-tus:";

  function Problem(message, status, retry) {
    this.message = message; this.status = status || 0; this.retry = !!retry;
  }

  function base64(text) {
    var bytes = new TextEncoder().encode(text), binary = "";
    for (var i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
    return btoa(binary);
  }

  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  // Randomised exponential back-off, as the tus protocol recommends: ~1 s, 2 s, 4 s … 30 s.
  function backoff(attempt) {
    return Math.min(30000, 1000 * Math.pow(2, attempt - 1)) * (0.5 + Math.random() / 2);
  }

  function humanSize(bytes) {
    if (bytes >= 1024 * 1024 * 1024) return (bytes / 1073741824).toFixed(1) + " GB";
    if (bytes >= 1024 * 1024) return (bytes / 1048576).toFixed(1) + " MB";
    return Math.max(1, Math.round(bytes / 1024)) + " KB";
  }

  function Uploader(root) {
    this.root = root;
    this.data = root.dataset;
    this.input = root.querySelector("input[type=file]");
    this.rows = root.querySelector(".uploader-files");
    this.announcer = root.querySelector(".uploader-announce");
    this.queue = [];
    this.running = 0;
    this.counter = 0;
    this.bind();
  }

  Uploader.prototype.text = function (name, values) {
    var text = this.data["text" + name.charAt(0).toUpperCase() + name.slice(1)] || "";
    Object.keys(values || {}).forEach(function (key) {
      text = text.split("{" + key + "}").join(values[key]);
    });
    return text;
  };

  Uploader.prototype.bind = function () {
    var self = this, zone = this.root.querySelector(".uploader-drop");
    this.input.addEventListener("change", function () {
      self.add(self.input.files);
      self.input.value = "";
    });
    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (event) {
        event.preventDefault();
        zone.classList.add("is-over");
      });
    });
    ["dragleave", "dragend", "drop"].forEach(function (type) {
      zone.addEventListener(type, function () { zone.classList.remove("is-over"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files) self.add(event.dataTransfer.files);
    });
  };

  Uploader.prototype.announce = function (text) {
    if (this.announcer) this.announcer.textContent = text;
  };

  Uploader.prototype.add = function (files) {
    for (var i = 0; i < files.length; i++) {
      var item = this.row(files[i]);
      this.queue.push(item);
    }
    this.pump();
  };

  Uploader.prototype.row = function (file) {
    var id = "upl-" + Date.now().toString(36) + "-" + (++this.counter);
    var li = document.createElement("li");
    li.className = "uploader-file";
    var name = document.createElement("span");
    name.className = "uploader-name";
    name.id = id + "-name";
    name.textContent = file.name;
    var size = document.createElement("span");
    size.className = "uploader-size";
    size.textContent = humanSize(file.size);
    var bar = document.createElement("progress");
    bar.max = 100; bar.value = 0;
    bar.setAttribute("aria-labelledby", id + "-name");
    bar.setAttribute("aria-describedby", id + "-status");
    var status = document.createElement("span");
    status.className = "uploader-status";
    status.id = id + "-status";
    var actions = document.createElement("span");
    actions.className = "uploader-actions";
    li.append(name, size, bar, status, actions);
    this.rows.appendChild(li);
    var item = { file: file, li: li, bar: bar, status: status, actions: actions, url: null,
                 xhr: null, cancelled: false };
    this.state(item, this.text("waiting"));
    return item;
  };

  Uploader.prototype.state = function (item, text, kind, announce) {
    item.status.textContent = text;
    item.li.classList.toggle("is-error", kind === "error");
    item.li.classList.toggle("is-done", kind === "done");
    if (announce) this.announce(item.file.name + ": " + text);
  };

  Uploader.prototype.progress = function (item, sent) {
    var percent = item.file.size ? Math.floor((sent / item.file.size) * 100) : 100;
    item.bar.value = percent;
    item.bar.setAttribute("aria-valuetext", percent + "%");
    this.state(item, this.text("uploading") + " " + percent + "%");
  };

  Uploader.prototype.button = function (item, label, action) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn uploader-btn";
    button.textContent = label;
    button.setAttribute("aria-describedby", item.li.querySelector(".uploader-name").id);
    button.addEventListener("click", action);
    item.actions.replaceChildren(button);
    return button;
  };

  Uploader.prototype.pump = function () {
    var self = this;
    while (this.running < PARALLEL && this.queue.length) {
      var item = this.queue.shift();
      this.running++;
      this.run(item).finally(function () { self.running--; self.pump(); });
    }
  };

  Uploader.prototype.storageKey = function (file) {
    return KEY + [this.data.target || "", file.name, file.size, file.lastModified].join("|");
  };

  Uploader.prototype.remember = function (item, url) {
    try {
      if (url) localStorage.setItem(this.storageKey(item.file), url);
      else localStorage.removeItem(this.storageKey(item.file));
    } catch (e) { /* private mode: no resuming after a reload, uploads still work */ }
  };

  Uploader.prototype.remembered = function (item) {
    try { return localStorage.getItem(this.storageKey(item.file)); } catch (e) { return null; }
  };

  Uploader.prototype.headers = function (extra) {
    var headers = { "Tus-Resumable": TUS, "X-CSRFToken": this.data.csrf };
    Object.keys(extra || {}).forEach(function (key) { headers[key] = extra[key]; });
    return headers;
  };

  Uploader.prototype.problem = async function (response) {
    var message = "";
    try { message = (await response.json()).error || ""; } catch (e) { /* not JSON */ }
    var retry = response.status >= 500 || response.status === 409 || response.status === 423;
    if (response.status === 403 && !message) message = this.text("signedOut");
    return new Problem(message || this.text("failed"), response.status, retry);
  };

  Uploader.prototype.create = async function (item) {
    var file = item.file;
    var metadata = [
      "filename " + base64(file.name),
      "kind " + base64(/^video\//.test(file.type) ? "video" : "photo"),
      "filetype " + base64(file.type || "application/octet-stream"),
      "target " + base64(this.data.target || "")
    ].join(",");
    var response = await fetch(this.data.endpoint, {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: this.headers({ "Upload-Length": String(file.size), "Upload-Metadata": metadata })
    });
    if (response.status !== 201 || !response.headers.get("Location")) {
      throw await this.problem(response);
    }
    return response.headers.get("Location");
  };

  // The offset to continue from, or null when the server no longer knows the upload.
  Uploader.prototype.offset = async function (item) {
    var response = await fetch(item.url, {
      method: "HEAD", credentials: "same-origin", cache: "no-store", headers: this.headers()
    });
    var offset = response.headers.get("Upload-Offset");
    if (response.ok && offset !== null) return parseInt(offset, 10);
    if (response.status === 404 || response.status === 410) return null;
    if (response.redirected || response.status === 403) {
      throw new Problem(this.text("signedOut"), 403, false);
    }
    throw new Problem(this.text("failed"), response.status, true);
  };

  Uploader.prototype.chunk = function (item, offset) {
    var size = parseInt(this.data.chunk, 10) || CHUNK;
    var self = this, end = Math.min(offset + size, item.file.size);
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      item.xhr = xhr;
      // Warta's pages take GET, HEAD and POST only: PATCH travels as a POST (tus core).
      xhr.open("POST", item.url);
      var headers = self.headers({
        "X-HTTP-Method-Override": "PATCH",
        "Upload-Offset": String(offset),
        "Content-Type": "application/offset+octet-stream"
      });
      Object.keys(headers).forEach(function (key) { xhr.setRequestHeader(key, headers[key]); });
      xhr.upload.onprogress = function (event) { self.progress(item, offset + event.loaded); };
      xhr.onload = function () {
        item.xhr = null;
        var next = xhr.getResponseHeader("Upload-Offset");
        if (xhr.status === 204 && next !== null) { resolve(parseInt(next, 10)); return; }
        var message = "";
        try { message = JSON.parse(xhr.responseText).error || ""; } catch (e) { /* not JSON */ }
        var status = xhr.status;
        if (status === 404 || status === 410) { reject(new Problem("", status, false)); return; }
        var retry = status >= 500 || status === 409 || (status === 400 && next !== null);
        if (status === 403 && !message) message = self.text("signedOut");
        reject(new Problem(message || self.text("failed"), status, retry));
      };
      xhr.onerror = xhr.ontimeout = function () {
        item.xhr = null;
        reject(new Problem(self.text("failed"), 0, true));
      };
      xhr.onabort = function () { item.xhr = null; reject(new Problem("", -1, false)); };
      xhr.timeout = 120000;
      xhr.send(item.file.slice(offset, end));
    });
  };

  Uploader.prototype.run = async function (item) {
    var self = this, attempt = 0, offset = 0, restarted = false;
    item.li.classList.remove("is-error");
    this.button(item, this.text("cancel"), function () { self.cancel(item); });
    while (!item.cancelled) {
      try {
        if (!item.url) {
          var known = this.remembered(item);
          if (known) {
            item.url = known;
            offset = await this.offset(item);
            if (offset === null) { item.url = null; offset = 0; this.remember(item, null); continue; }
          } else {
            this.state(item, this.text("starting"));
            item.url = await this.create(item);
            this.remember(item, item.url);
            offset = 0;
          }
        }
        this.progress(item, offset);
        while (offset < item.file.size && !item.cancelled) {
          offset = await this.chunk(item, offset);
          attempt = 0;
          this.progress(item, offset);
        }
        if (item.cancelled) return;
        await this.attach(item);
        return;
      } catch (problem) {
        if (item.cancelled || problem.status === -1) return;
        // fetch() rejects with a TypeError when the network is down: try again later.
        if (!(problem instanceof Problem)) problem = new Problem(this.text("failed"), 0, true);
        if (problem.status === 404 || problem.status === 410) {
          // Expired or removed on the server: start again from the first byte, once.
          this.remember(item, null);
          item.url = null;
          if (restarted) { this.fail(item, this.text("gone")); return; }
          restarted = true;
          continue;
        }
        if (!problem.retry || ++attempt > MAX_ATTEMPTS) {
          this.fail(item, problem.message);
          return;
        }
        var wait = backoff(attempt);
        this.state(item, this.text("retrying", { seconds: Math.ceil(wait / 1000) }), null, true);
        await sleep(wait);
        if (item.url) {
          try {
            var now = await this.offset(item);
            if (now === null) { this.remember(item, null); item.url = null; offset = 0; }
            else offset = now;
          } catch (e) { /* still offline: the next round tries again */ }
        }
      }
    }
  };

  Uploader.prototype.fail = function (item, message) {
    var self = this;
    item.url = null;  // a retry asks the server (through localStorage) where the upload stands
    this.state(item, message, "error", true);
    this.button(item, this.text("retry"), function () {
      self.queue.push(item);
      self.pump();
    });
  };

  Uploader.prototype.cancel = function (item) {
    item.cancelled = true;
    if (item.xhr) item.xhr.abort();
    var url = item.url;
    this.remember(item, null);
    item.li.remove();
    this.announce(item.file.name + ": " + this.text("cancelled"));
    if (url) {
      fetch(url, {
        method: "POST", credentials: "same-origin",
        headers: this.headers({ "X-HTTP-Method-Override": "DELETE" })
      }).catch(function () { /* the server's expiry removes it anyway */ });
    }
  };

  Uploader.prototype.attach = async function (item) {
    var id = item.url.replace(/\/+$/, "").split("/").pop();
    var attempt = 0;
    this.state(item, this.text("checking"), null, true);
    item.actions.replaceChildren();
    for (;;) {
      var response, answer;
      try {
        response = await fetch(this.data.attachUrl, {
          method: "POST", credentials: "same-origin",
          headers: { "X-CSRFToken": this.data.csrf, "Accept": "application/json" },
          body: new URLSearchParams({ upload: id })
        });
      } catch (e) {
        if (++attempt > MAX_ATTEMPTS) { this.fail(item, this.text("failed")); return; }
        await sleep(backoff(attempt));
        continue;
      }
      try { answer = await response.json(); } catch (e) {
        answer = { error: this.text(response.status === 403 ? "signedOut" : "failed") };
      }
      this.remember(item, null);
      if (answer.ok) {
        var list = document.getElementById(this.data.list);
        if (list && answer.html) list.insertAdjacentHTML("beforeend", answer.html);
        item.bar.value = 100;
        this.state(item, this.text("done"), "done", true);
        (list || this.root).dispatchEvent(new CustomEvent("warta:media-added", {
          bubbles: true, detail: { upload: id, html: answer.html || "" }
        }));
      } else {
        // Refused by its content: the server has already removed it; the row stays, in red.
        this.state(item, answer.error || this.text("failed"), "error", true);
      }
      return;
    }
  };

  function start() {
    document.querySelectorAll("[data-uploader]").forEach(function (root) {
      if (!root.uploader) root.uploader = new Uploader(root);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
