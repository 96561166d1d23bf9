// django-otp-webauthn's script registers the key; reload so the page lists it.
document.addEventListener("otp_webauthn.register_complete", () => {
  window.location.reload();
});
