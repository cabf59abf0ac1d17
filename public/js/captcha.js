// "New image" for the built-in captcha: draws a new challenge for this form and swaps the image and the hidden
// id in place, so nothing typed into the form is lost. Without JavaScript the button stays hidden.
document.querySelectorAll("[data-captcha-renew]").forEach(function (button) {
  var field = button.closest(".captcha");
  var image = field.querySelector("[data-captcha-image]");
  var id = field.querySelector("[data-captcha-id]");
  var answer = field.querySelector("input[type=text]");
  button.hidden = false;
  button.addEventListener("click", function () {
    button.disabled = true;
    fetch("/captcha/new?id=" + encodeURIComponent(id.value), { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : Promise.reject(response.status); })
      .then(function (challenge) {
        id.value = challenge.id;
        image.src = challenge.image;
        answer.value = "";
        answer.focus();
      })
      .catch(function () { window.location.reload(); })
      .finally(function () { button.disabled = false; });
  });
});
