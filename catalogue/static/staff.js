// The staff workspace's behaviour: the item editor checks a date as it is typed, with the form
// of EDTF the server takes (archive/edtf.py); the server checks it again, and says why.
"use strict";

(function () {
  const input = document.getElementById("field-date");
  const note = document.getElementById("date-check");
  if (!input || !note) return;
  const single = "(\\d{4}|\\d{3}X|\\d{2}XX)(-\\d{2}(-\\d{2})?)?[?~%]?";
  const edtf = new RegExp(`^(${single}|(${single}|\\.\\.)?/(${single}|\\.\\.)?)$`);
  input.addEventListener("input", () => {
    const value = input.value.trim();
    const wrong = value !== "" && !edtf.test(value);
    note.textContent = wrong ? note.dataset.message : "";
    input.setAttribute("aria-invalid", wrong ? "true" : "false");
  });
})();
