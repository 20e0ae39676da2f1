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
  const logTimers = new Map();

  function stopFollowing() {
    logTimers.forEach(function (timer) { clearTimeout(timer); });
    logTimers.clear();
  }

  function loadLogs(pre) {
    const url = pre.dataset.logs;
    if (!url) { return; }
    fetch(url, { credentials: "same-origin" }).then(function (response) {
      const status = response.headers.get("X-Step-Status") || "";
      return response.text().then(function (text) { return [text, status]; });
    }).then(function ([text, status]) {
      const atBottom = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
      pre.textContent = text || "no logs";
      if (atBottom) { pre.scrollTop = pre.scrollHeight; }
      if (status === "running" || status === "initializing") {
        logTimers.set(url, setTimeout(function () { loadLogs(pre); }, 2000));
      }
    }).catch(function () { pre.textContent = "the logs could not be loaded"; });
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
    holder.querySelectorAll("pre.logs[data-logs]").forEach(loadLogs);
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
  function followRun() {
    const live = document.getElementById("run-live");
    if (!live || !live.dataset.live) { return; }
    setTimeout(function tick() {
      fetchFragment("run").then(function (html) {
        live.innerHTML = html;  // the panel of the selected step comes with it
        stopFollowing();
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
        const checked = new Set(Array.from(document.querySelectorAll("#run-rows input:checked"), function (i) { return i.value; }));
        const holder = document.createElement("table");
        holder.innerHTML = html;
        const fresh = holder.querySelector("tbody");
        fresh.querySelectorAll("input[type=checkbox]").forEach(function (i) { i.checked = checked.has(i.value); });
        document.getElementById("run-rows").replaceWith(fresh);
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
