// stackyard dashboard: the little that must happen in the browser.
// Selecting a DAG step, following a running step's logs, refreshing runs in
// progress, and the one-click sign-in of `stackyard up --open`. No libraries.
"use strict";

(function () {
  const FRAGMENT = "X-Dashboard-Fragment";

  function fetchFragment(name) {
    return fetch(window.location.href, { headers: { [FRAGMENT]: name }, credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 401) { window.location.reload(); throw new Error("signed out"); }
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      });
  }

  // -- sign-in with a token in the URL fragment (never sent to the server in a URL) --
  function tokenLogin() {
    const form = document.getElementById("token-login");
    const hash = window.location.hash;
    if (!form || !hash.startsWith("#token=")) { return; }
    history.replaceState(null, "", window.location.pathname + window.location.search);
    form.elements.token.value = decodeURIComponent(hash.slice("#token=".length));
    form.submit();
  }

  // -- a run's steps ------------------------------------------------------------------
  let selected = null;
  const followers = new Map();  // a logs <pre> -> its timer, while it follows a step

  function stopFollowing() {
    followers.forEach(function (timer) { clearTimeout(timer); });
    followers.clear();
  }

  // Logs arrive as the text after what is shown (?offset=), appended as a new text
  // node: what a reader selected or scrolled to stays where it was.
  function followLogs(pre) {
    const url = pre.dataset.logs;
    if (!url || followers.has(pre)) { return; }
    let next = 0;
    function tick() {
      fetch(url + "?offset=" + next, { credentials: "same-origin" }).then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text().then(function (text) { return [text, response.headers]; });
      }).then(function ([text, headers]) {
        if (!pre.isConnected) { followers.delete(pre); return; }
        const start = Number(headers.get("X-Log-Start") || 0);
        const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
        if (next > 0 && start === next) {
          if (text) { pre.appendChild(document.createTextNode(text)); }
        } else if (text || next === 0) {
          pre.textContent = text || "no logs";
        }
        next = Number(headers.get("X-Log-Next") || next);
        if (atBottom) { pre.scrollTop = pre.scrollHeight; }
        const status = headers.get("X-Step-Status") || "";
        if (status === "running" || status === "initializing") {
          followers.set(pre, setTimeout(tick, 2000));
        } else {
          followers.set(pre, null);  // done: keep the entry so a refresh does not restart it
        }
      }).catch(function () {
        if (!pre.isConnected) { followers.delete(pre); return; }
        if (next === 0) { pre.textContent = "the logs could not be loaded"; }
        followers.set(pre, setTimeout(tick, 10000));
      });
    }
    followers.set(pre, null);
    tick();
  }

  function stepUrl(name) {
    const url = new URL(window.location.href);
    url.hash = "";
    url.searchParams.set("step", name);
    return url;
  }

  function markSelected(name) {
    document.querySelectorAll(".node").forEach(function (node) {
      const on = node.dataset.step === name;
      node.classList.toggle("selected", on);
      node.setAttribute("aria-pressed", on ? "true" : "false");
    });
  }

  function showPanel(scroll) {
    const holder = document.getElementById("step-panel");
    if (!holder) { return; }
    holder.querySelectorAll("pre.logs[data-logs]").forEach(followLogs);
    if (scroll && holder.firstElementChild) {
      holder.firstElementChild.scrollIntoView({ block: "nearest", behavior: "smooth" });
    }
  }

  function select(name, scroll) {
    selected = name;
    stopFollowing();
    markSelected(name);
    const url = stepUrl(name);
    history.replaceState(null, "", url.pathname + url.search);
    fetch(url, { headers: { [FRAGMENT]: "step" }, credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 401) { window.location.reload(); throw new Error("signed out"); }
        return response.text();
      })
      .then(function (html) {
        if (selected !== name) { return; }  // another step was chosen meanwhile
        document.getElementById("step-panel").innerHTML = html;
        showPanel(scroll);
      })
      .catch(function () {});
  }

  function onStepEvent(event) {
    const target = event.target.closest(".node, .step-select");
    if (!target) { return; }
    if (event.type === "keydown") {
      // buttons already click on Enter and Space; the SVG nodes need it done for them
      if (!target.classList.contains("node") || (event.key !== "Enter" && event.key !== " ")) { return; }
    }
    event.preventDefault();
    select(target.dataset.step, true);
  }

  function initialStep() {
    const name = new URL(window.location.href).searchParams.get("step");
    if (name && document.getElementById("step-panel")) {
      selected = name;
      markSelected(name);
      showPanel(false);
    }
  }

  // -- live updates -------------------------------------------------------------------
  // A refresh patches the page in place (a small DOM morph): nodes that did not change
  // stay the same nodes, so the element with keyboard focus, a ticked checkbox, an open
  // <details> and the logs being read are left alone. Children are matched by their id
  // or data-key, else by position.
  function keyOf(node) {
    return node.nodeType === Node.ELEMENT_NODE ? (node.id || node.getAttribute("data-key") || "") : "";
  }

  function syncAttributes(old, fresh) {
    Array.from(old.attributes).forEach(function (attribute) {
      if (!fresh.hasAttribute(attribute.name) && attribute.name !== "open") {
        old.removeAttribute(attribute.name);
      }
    });
    Array.from(fresh.attributes).forEach(function (attribute) {
      if (old.getAttribute(attribute.name) !== attribute.value) {
        old.setAttribute(attribute.name, attribute.value);
      }
    });
  }

  function morph(old, fresh) {
    if (old.nodeType !== fresh.nodeType || old.nodeName !== fresh.nodeName) {
      old.replaceWith(fresh);
      return;
    }
    if (old.nodeType !== Node.ELEMENT_NODE) {
      if (old.nodeValue !== fresh.nodeValue) { old.nodeValue = fresh.nodeValue; }
      return;
    }
    syncAttributes(old, fresh);
    if (!old.hasAttribute("data-logs")) { morphChildren(old, fresh); }  // logs: the follower's
  }

  function morphChildren(old, fresh) {
    const byKey = new Map();
    old.childNodes.forEach(function (child) { const key = keyOf(child); if (key) { byKey.set(key, child); } });
    const wanted = new Set(Array.from(fresh.childNodes, keyOf).filter(Boolean));
    let cursor = old.firstChild;
    Array.from(fresh.childNodes).forEach(function (next) {
      const key = keyOf(next);
      let match = null;
      if (key) { match = byKey.get(key) || null; byKey.delete(key); }
      else {
        // unkeyed: the node in place if it is of the same kind; stray text goes
        while (cursor && cursor.nodeType !== Node.ELEMENT_NODE && cursor.nodeName !== next.nodeName) {
          const stale = cursor; cursor = cursor.nextSibling; stale.remove();
        }
        if (cursor && !keyOf(cursor) && cursor.nodeName === next.nodeName) { match = cursor; }
      }
      if (!match) { old.insertBefore(next, cursor); return; }
      if (match !== cursor) {
        // what lies between is stale unless a later child claims it: drop it rather than
        // move the match (moving a node takes keyboard focus out of it)
        let claimed = false;
        for (let node = cursor; node !== match; node = node.nextSibling) {
          if (byKey.has(keyOf(node)) && wanted.has(keyOf(node))) { claimed = true; break; }
        }
        if (claimed) { old.insertBefore(match, cursor); }
        else { while (cursor !== match) { const stale = cursor; cursor = cursor.nextSibling; stale.remove(); } }
      }
      if (match === cursor) { cursor = cursor.nextSibling; }
      morph(match, next);
    });
    while (cursor) { const stale = cursor; cursor = cursor.nextSibling; stale.remove(); }
  }

  // Patch `target`'s children to `html`; should the focused element still be replaced
  // (its kind changed), focus its successor with the same id or key.
  function patch(target, html) {
    const active = document.activeElement;
    const key = active && active !== document.body ? keyOf(active) : "";
    const fresh = document.createElement("template");
    fresh.innerHTML = html;
    morphChildren(target, fresh.content);
    if (key && !active.isConnected) {
      const again = Array.from(target.querySelectorAll("[id], [data-key]")).find(function (el) { return keyOf(el) === key; });
      if (again) { again.focus({ preventScroll: true }); }
    }
  }

  function followRun() {
    const live = document.getElementById("run-live");
    if (!live || !live.dataset.live) { return; }
    setTimeout(function tick() {
      fetchFragment("run").then(function (html) {
        patch(live, html);  // the panel of the selected step comes with it
        if (selected) { markSelected(selected); showPanel(false); }
        const flag = document.getElementById("live-flag");
        if (flag && flag.dataset.live === "1") { setTimeout(tick, 2500); }
        else { delete live.dataset.live; }
      }).catch(function () { setTimeout(tick, 10000); });
    }, 2500);
  }

  function followRuns() {
    const tbody = document.getElementById("run-rows");
    if (!tbody || !document.querySelector("table.runs")) { return; }
    function tick() {
      if (!document.querySelector("#run-rows tr[data-live]")) { return; }
      fetchFragment("rows").then(function (html) {
        const fresh = document.createElement("template");
        fresh.innerHTML = html;
        const rows = fresh.content.getElementById("run-rows");
        if (rows) { patch(document.getElementById("run-rows"), rows.innerHTML); }
        setTimeout(tick, 3000);
      }).catch(function () { setTimeout(tick, 10000); });
    }
    setTimeout(tick, 3000);
  }

  document.addEventListener("DOMContentLoaded", function () {
    tokenLogin();
    document.addEventListener("click", onStepEvent);
    document.addEventListener("keydown", onStepEvent);
    initialStep();
    followRun();
    followRuns();
  });
})();
