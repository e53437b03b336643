"""What the reports API answers: a report's meta data, its files (hash, size) and, in the
detail, its locked snapshot (the numbers every format of the report shows)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from regie.reports.models import Report, ReportFile


class ReportFileSerializer(serializers.ModelSerializer[ReportFile]):
    class Meta:
        model = ReportFile
        fields = ["id", "format", "sha256", "size", "sent", "built_at"]


class ReportSerializer(serializers.ModelSerializer[Report]):
    gemeente = serializers.CharField(source="organisation.cbs_code", read_only=True)
    plan = serializers.IntegerField(source="plan_id", allow_null=True, read_only=True)
    programme = serializers.IntegerField(source="programme_id", allow_null=True, read_only=True)

    class Meta:
        model = Report
        fields = [
            "id",
            "gemeente",
            "kind",
            "period",
            "title",
            "state",
            "sent_on",
            "plan",
            "programme",
            "snapshot_taken_at",
        ]


class ReportDetailSerializer(ReportSerializer):
    texts = serializers.DictField(child=serializers.CharField(), read_only=True)
    snapshot = serializers.SerializerMethodField()
    files = serializers.SerializerMethodField()

    class Meta(ReportSerializer.Meta):
        fields = [*ReportSerializer.Meta.fields, "texts", "snapshot", "files"]

    def get_snapshot(self, report: Report) -> dict[str, Any] | None:
        """The locked numbers (null until the figures are locked)."""
        snapshot: dict[str, Any] | None = report.snapshot
        return snapshot

    def get_files(self, report: Report) -> list[dict[str, Any]]:
        files = report.files.defer("content").order_by("format", "-built_at", "-pk")
        return list(ReportFileSerializer(files, many=True).data)
