from tests.dashboard.urls import without_training_lists

urlpatterns = without_training_lists
