"""Preload the veiligheidsvelden and themes of the VNG Kernbeleid Veiligheid (KBV)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

FIELDS = [
    (
        "1",
        "Veilige woon- en leefomgeving",
        [
            ("1.1", "Sociale kwaliteit"),
            ("1.2", "Fysieke kwaliteit"),
            ("1.3", "Objectieve veiligheid (veelvoorkomende criminaliteit)"),
            ("1.4", "Subjectieve veiligheid (veiligheidsbeleving)"),
        ],
    ),
    (
        "2",
        "Bedrijvigheid en veiligheid",
        [
            ("2.1", "Veilig winkelgebied"),
            ("2.2", "Veilige bedrijventerreinen"),
            ("2.3", "Veilig uitgaan"),
            ("2.4", "Veilige evenementen"),
            ("2.5", "Veilig toerisme"),
        ],
    ),
    (
        "3",
        "Jeugd en veiligheid",
        [
            ("3.1", "Jeugdoverlast"),
            ("3.2", "Jeugdcriminaliteit"),
            ("3.3", "Alcohol en drugs"),
            ("3.4", "Veilig in en om de school"),
        ],
    ),
    (
        "4",
        "Fysieke veiligheid",
        [
            ("4.1", "Verkeersveiligheid"),
            ("4.2", "Brandveiligheid"),
            ("4.3", "Externe veiligheid"),
            ("4.4", "Crisisbeheersing en rampenbestrijding"),
        ],
    ),
    (
        "5",
        "Integriteit en veiligheid",
        [
            ("5.1", "Polarisatie en radicalisering"),
            ("5.2", "Georganiseerde criminaliteit en ondermijning"),
            ("5.3", "Terrorisme"),
            ("5.4", "Bestuurlijke integriteit"),
        ],
    ),
]


def load(apps: Any, schema_editor: Any) -> None:
    field_model = apps.get_model("policy", "SafetyField")
    theme_model = apps.get_model("policy", "SafetyTheme")
    for position, (code, name, themes) in enumerate(FIELDS, start=1):
        field, _ = field_model.objects.update_or_create(
            code=code, defaults={"name": name, "position": position}
        )
        for t_position, (t_code, t_name) in enumerate(themes, start=1):
            theme_model.objects.update_or_create(
                code=t_code, defaults={"field": field, "name": t_name, "position": t_position}
            )


class Migration(migrations.Migration):
    dependencies = [("policy", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
