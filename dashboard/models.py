"""The dashboard stores nothing: this model only carries its permission.

Django needs a model (a content type) to hang a permission on. ``managed = False`` means no
table is ever created; ``dashboard.view_dashboard`` is granted to roles by a data migration.
"""

from django.db import models


class Dashboard(models.Model):
    class Meta:
        managed = False
        default_permissions = ()
        permissions = [("view_dashboard", "Can view the managers' deadline dashboard")]

    def __str__(self):
        return "Managers' deadline dashboard"
