"""Home page and registration of every domain's views."""

from __future__ import annotations

from flask_appbuilder import AppBuilder, IndexView, expose


class HomeView(IndexView):
    route_base = ""
    index_template = "portal/index.html"

    @expose("/")
    def index(self):
        return self.render_template(self.index_template, appbuilder=self.appbuilder)


def register(appbuilder: AppBuilder) -> None:
    from app.evaluation import views as evaluation_views
    from app.exchange.lookup import LookupApi
    from app.org import views as org_views
    from app.personnel import views as personnel_views

    appbuilder.add_view_no_menu(LookupApi)
    org_views.register(appbuilder)
    personnel_views.register(appbuilder)
    evaluation_views.register(appbuilder)
    from app.training import views as training_views

    training_views.register(appbuilder)
    from app.security import account_views

    account_views.register(appbuilder)
