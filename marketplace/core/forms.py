from django import forms


class AccessibleFormMixin:
    """Bootstrap classes on every widget, and invalid fields marked for screen readers."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
                widget.attrs.setdefault("class", "form-check-input")
            elif not isinstance(widget, forms.CheckboxSelectMultiple):
                widget.attrs["class"] = (widget.attrs.get("class", "") + " form-control").strip()

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].auto_id}_error"
                if "form-control" in attrs.get("class", ""):
                    attrs["class"] += " is-invalid"
