from __future__ import annotations

import factory

from regie.core.models import Organisation, OrganisationKind


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Partner {n}")
    slug = factory.Sequence(lambda n: f"partner-{n}")
    kind = OrganisationKind.POLITIE
    cbs_code = ""


class GemeenteFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Gemeente {n}")
    slug = factory.Sequence(lambda n: f"gm{9000 + n}")
    kind = OrganisationKind.GEMEENTE
    cbs_code = factory.Sequence(lambda n: f"GM{9000 + n}")
