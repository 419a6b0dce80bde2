"""Studio URLs: administration happens in Studio's Django admin; nothing learner-facing here."""

app_name = "riseup_stripe"

urlpatterns = []
