// Runs first in <body>: lets GOV.UK Frontend style for JavaScript without an inline script (CSP).
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
