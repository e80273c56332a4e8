app_name = "correspondence"
urlpatterns: list = []
