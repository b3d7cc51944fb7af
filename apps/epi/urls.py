
app_name = "epi"
urlpatterns: list = []
