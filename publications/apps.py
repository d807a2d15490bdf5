from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicationsConfig(AppConfig):
    name = "publications"
    verbose_name = _("Publications")

    def ready(self):
        from django.urls import reverse

        from forums.permissions import register_owner_rules

        from .models import Article
        from .permissions import news

        # An article's comments (made at its first approval) follow the article: every logged-in person
        # who may see it comments; the managers of its unit and of the unit above moderate.
        register_owner_rules(
            Article,
            can_view=news.can_view_comments,
            can_moderate=news.can_moderate_comments,
            link=lambda article: (article.title, reverse("news:detail", args=[article.pk])),
        )
