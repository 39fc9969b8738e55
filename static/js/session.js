// Progressive enhancement (every page works without it), loaded as an external module because
// the Content Security Policy allows no inline script:
//  1. the GOV.UK timeout warning: a modal dialog before an idle session ends, to stay signed in;
//  2. drafts of long answers: what is typed in a form with a text area is kept in this tab
//     (sessionStorage: gone when the tab closes) and put back if the page is opened again
//     before it was sent, or after the person had to sign in again to send it.

const PREFIX = "hub-draft:";
const SECRET = /pass|pwd|secret|token|csrf|otp/i;
const dialog = document.getElementById("hub-timeout");
let deadline = 0;
let expired = false;

function plural(n, word) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

function describe(seconds) {
  return seconds >= 60 ? plural(Math.ceil(seconds / 60), "minute") : plural(seconds, "second");
}

function sessionEnded() {
  return expired || (deadline > 0 && Date.now() >= deadline);
}

// --- 1. timeout warning ------------------------------------------------------------------------

if (dialog && typeof dialog.showModal === "function") {
  const warningSeconds = Number(dialog.dataset.warningSeconds);
  const countdown = dialog.querySelector(".hub-timeout-countdown");
  const spoken = dialog.querySelector(".hub-timeout-spoken");
  const title = dialog.querySelector("#hub-timeout-title");
  let warnTimer = 0;
  let tickTimer = 0;
  let spokenPhrase = "";
  let returnFocus = null;

  const secondsLeft = () => Math.max(0, Math.ceil((deadline - Date.now()) / 1000));

  const start = (seconds) => {
    deadline = Date.now() + seconds * 1000;
    clearTimeout(warnTimer);
    clearInterval(tickTimer);
    warnTimer = setTimeout(openWarning, Math.max(0, (seconds - warningSeconds) * 1000));
  };

  const tick = () => {
    const left = secondsLeft();
    if (left <= 0) {
      signedOut();
      return;
    }
    countdown.textContent = describe(left);
    // Screen readers hear whole minutes, then once the last seconds: not every second.
    const phrase =
      left > 20 ? plural(Math.ceil(left / 60), "minute") : spokenPhrase.endsWith("second") ||
        spokenPhrase.endsWith("seconds") ? spokenPhrase : describe(left);
    if (phrase !== spokenPhrase) {
      spokenPhrase = phrase;
      spoken.textContent = phrase;
    }
  };

  const show = () => {
    if (!dialog.open) {
      returnFocus = document.activeElement;
      dialog.showModal();
    }
  };

  const close = () => {
    clearInterval(tickTimer);
    if (dialog.open) dialog.close();
    if (returnFocus && typeof returnFocus.focus === "function") returnFocus.focus();
  };

  function openWarning() {
    if (expired) return;
    if (secondsLeft() <= 0) {
      signedOut();
      return;
    }
    spokenPhrase = "";
    tick();
    clearInterval(tickTimer);
    tickTimer = setInterval(tick, 1000);
    show();
  }

  function signedOut() {
    expired = true;
    clearTimeout(warnTimer);
    clearInterval(tickTimer);
    title.textContent = "You have been signed out";
    for (const el of dialog.querySelectorAll(".hub-timeout-warning")) el.hidden = true;
    for (const el of dialog.querySelectorAll(".hub-timeout-ended")) el.hidden = false;
    show();
    dialog.querySelector("[data-timeout-close]").focus();
  }

  const extend = async () => {
    try {
      const response = await fetch(dialog.dataset.extendUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": dialog.dataset.csrfToken, Accept: "application/json" },
      });
      if (response.status === 401 || response.status === 403) {
        signedOut();
        return;
      }
      const body = await response.json();
      close();
      start(Number(body.seconds));
    } catch (error) {
      spoken.textContent = "We could not reach the service. Check your connection and try again.";
    }
  };

  dialog.querySelector("[data-timeout-extend]").addEventListener("click", extend);
  dialog.querySelector("[data-timeout-close]").addEventListener("click", close);
  // Escape: GOV.UK's pattern treats it as "stay signed in".
  dialog.addEventListener("cancel", (event) => {
    event.preventDefault();
    if (expired) close();
    else extend();
  });
  start(Number(dialog.dataset.timeoutSeconds));
}

// --- 2. drafts of long answers -----------------------------------------------------------------

function storage() {
  try {
    return window.sessionStorage;
  } catch (error) {
    return null;
  }
}

function draftable(el) {
  return (
    el.name &&
    !el.disabled &&
    !["password", "hidden", "file", "submit", "button", "reset"].includes(el.type) &&
    !SECRET.test(el.name)
  );
}

function textLike(el) {
  return el.tagName === "TEXTAREA" || (el.tagName === "INPUT" && !["checkbox", "radio"].includes(el.type));
}

const store = storage();
if (store) {
  for (const form of document.querySelectorAll("form[data-clear-drafts]")) {
    form.addEventListener("submit", () => {
      const path = PREFIX + form.dataset.clearDrafts;
      for (const key of Object.keys(store)) if (key.startsWith(path)) store.removeItem(key);
    });
  }
  const forms = [...document.querySelectorAll("form")].filter(
    (form) => (form.method || "").toLowerCase() === "post" && form.querySelector("textarea") &&
      !form.hasAttribute("data-no-draft"),
  );
  forms.forEach((form, index) => {
    const key = `${PREFIX}${location.pathname}#${index}`;
    let draft = null;
    try {
      draft = JSON.parse(store.getItem(key) || "null");
    } catch (error) {
      draft = null;
    }
    if (draft && draft.fields) {
      let restored = false;
      for (const el of form.elements) {
        const value = draft.fields[el.name];
        if (draftable(el) && textLike(el) && !el.value && typeof value === "string" && value) {
          el.value = value;
          restored = true;
        }
      }
      if (restored) {
        const note = document.createElement("div");
        note.className = "govuk-inset-text";
        note.setAttribute("role", "status");
        note.textContent =
          "We have put back what you typed on this page before it was sent. Check it, then send it.";
        form.prepend(note);
      }
    }
    const save = () => {
      const fields = {};
      for (const el of form.elements) {
        if (draftable(el) && textLike(el)) fields[el.name] = el.value;
      }
      try {
        store.setItem(key, JSON.stringify({ fields, at: Date.now() }));
      } catch (error) {
        // Storage full or refused: the form still works.
      }
    };
    form.addEventListener("input", save);
    form.addEventListener("change", save);
    form.addEventListener("submit", () => {
      // Sent while signed in: the server has it. Sent after the session ended: keep the draft
      // until the person has signed in again and sent it.
      if (!sessionEnded()) store.removeItem(key);
    });
  });
}
