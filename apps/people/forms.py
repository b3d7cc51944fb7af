"""Forms of the people app: they collect text; validation lives in core.persons via the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from apps.people.choices import DocType, Relation, Sex


class PersonForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    doc_type = forms.ChoiceField(label=_("Document type"), choices=DocType.choices, initial=DocType.RESIDENT_ID)
    doc_number = forms.CharField(label=_("Document number"), required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Sex.choices], required=False)
    birth_date = forms.CharField(label=_("Birth date"), required=False, help_text=_("YYYY-MM-DD; taken from the ID number when there is one"))
    phone = forms.CharField(label=_("Phone"), required=False)
    area_code = forms.CharField(label=_("Residence community code"))
    address = forms.CharField(label=_("Address"), required=False)
    nationality = forms.CharField(label=_("Nationality"), initial="CHN", max_length=3)
    household_ref = forms.CharField(label=_("Household number"), required=False)
    relation = forms.ChoiceField(label=_("Relation to head"), choices=[("", "—"), *Relation.choices], required=False)
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("separated by commas"))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))
    mapping = forms.CharField(
        label=_("Column mapping (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_('JSON such as {"doc_number": "身份证号"}; common Chinese and English headers are recognised.'),
    )
