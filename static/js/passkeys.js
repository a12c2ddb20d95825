/* Passkeys (WebAuthn): the forms marked data-passkey ("register", "sign-in",
   "confirm") get their button enabled here. A click asks the form's
   data-options-url for a challenge, lets the browser create or use a passkey,
   puts its response (JSON) in the hidden "credential" field and sends the
   form: the server checks everything. Without this file, or without WebAuthn
   in the browser, the button stays disabled and the form says why. */
(function () {
  "use strict";

  var forms = document.querySelectorAll("form[data-passkey]");
  if (!forms.length) {
    return;
  }

  function status(form, text) {
    var element = form.querySelector("[data-passkey-status]");
    if (element) {
      element.textContent = text;
      element.hidden = !text;
    }
  }

  if (!window.PublicKeyCredential || !navigator.credentials) {
    Array.prototype.forEach.call(forms, function (form) {
      status(form, "Votre navigateur ne permet pas d’utiliser une clé d’accès.");
    });
    return;
  }

  function toBytes(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    var binary = atob(base64 + "===".slice((base64.length + 3) % 4));
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function toText(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) {
      binary += String.fromCharCode(bytes[i]);
    }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function creationOptions(options) {
    options.challenge = toBytes(options.challenge);
    options.user.id = toBytes(options.user.id);
    (options.excludeCredentials || []).forEach(function (descriptor) {
      descriptor.id = toBytes(descriptor.id);
    });
    return options;
  }

  function requestOptions(options) {
    options.challenge = toBytes(options.challenge);
    (options.allowCredentials || []).forEach(function (descriptor) {
      descriptor.id = toBytes(descriptor.id);
    });
    return options;
  }

  function credentialJson(credential) {
    var response = credential.response;
    var json = {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: {clientDataJSON: toText(response.clientDataJSON)}
    };
    if (response.attestationObject) {
      json.response.attestationObject = toText(response.attestationObject);
      json.response.transports = response.getTransports ? response.getTransports() : [];
    } else {
      json.response.authenticatorData = toText(response.authenticatorData);
      json.response.signature = toText(response.signature);
      if (response.userHandle) {
        json.response.userHandle = toText(response.userHandle);
      }
    }
    return JSON.stringify(json);
  }

  function fetchOptions(form) {
    var token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
    return fetch(form.dataset.optionsUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {"X-CSRFToken": token, "Accept": "application/json"}
    }).then(function (answer) {
      return answer.json().then(function (body) {
        if (!answer.ok) {
          throw {sigma: body.error || "Le serveur n’a pas pu préparer la clé d’accès. Veuillez réessayer."};
        }
        return body;
      });
    });
  }

  function send(form, credential) {
    form.querySelector("input[name=credential]").value = credentialJson(credential);
    form.submit();
  }

  // What the browser says is in its own language and words: the user reads ours.
  var BROWSER_ERRORS = {
    NotAllowedError: "Opération annulée ou délai dépassé. Vous pouvez réessayer.",
    InvalidStateError: "Cet appareil garde déjà une clé d’accès de votre compte.",
    SecurityError: "Les clés d’accès ne sont pas disponibles à cette adresse de SIGMA.",
    NotSupportedError: "Votre navigateur ou votre appareil ne permet pas de créer cette clé d’accès."
  };

  function failure(form, error) {
    if (error && error.name === "AbortError") {
      return;
    }
    status(form, (error && (error.sigma || BROWSER_ERRORS[error.name])) ||
      "La clé d’accès n’a pas pu être utilisée. Veuillez réessayer.");
  }

  // The conditional prompt (the identifiant field's autofill) waits in the
  // background; the button's prompt replaces it, since a session holds one
  // challenge at a time.
  var waiting = null;

  function get(form, conditional) {
    if (waiting) {
      waiting.abort();
    }
    waiting = new AbortController();
    var signal = waiting.signal;
    return fetchOptions(form).then(function (options) {
      var request = {publicKey: requestOptions(options), signal: signal};
      if (conditional) {
        request.mediation = "conditional";
      }
      return navigator.credentials.get(request);
    });
  }

  var start = {
    register: function (form) {
      var name = form.querySelector("input[name=name]");
      if (name && !name.value.trim()) {
        // The server says it next to the field, as for any form.
        form.submit();
        return;
      }
      fetchOptions(form).then(function (options) {
        return navigator.credentials.create({publicKey: creationOptions(options)});
      }).then(function (credential) {
        send(form, credential);
      }).catch(function (error) {
        failure(form, error);
      });
    },
    "sign-in": function (form) {
      get(form, false).then(function (credential) {
        send(form, credential);
      }).catch(function (error) {
        failure(form, error);
      });
    },
    confirm: function (form) {
      start["sign-in"](form);
    }
  };

  Array.prototype.forEach.call(forms, function (form) {
    var button = form.querySelector("[data-passkey-start]");
    var kind = form.dataset.passkey;
    status(form, "");
    button.disabled = false;
    button.addEventListener("click", function () {
      status(form, "");
      start[kind](form);
    });
  });

  // Not again on the page that tells why a passkey was just refused: the
  // browser would offer it straight back.
  var signIn = document.querySelector("form[data-passkey='sign-in']");
  var field = document.querySelector("input[autocomplete~='webauthn']");
  var refused = document.getElementById("passkey-error");
  if (signIn && field && !refused && PublicKeyCredential.isConditionalMediationAvailable) {
    PublicKeyCredential.isConditionalMediationAvailable().then(function (available) {
      if (available) {
        // Offered in the background: if it fails, the button is still there.
        get(signIn, true).then(function (credential) {
          if (credential) {
            send(signIn, credential);
          }
        }).catch(function () {});
      }
    });
  }
})();
