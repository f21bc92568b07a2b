from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

# A BCP 47-like tag ("fr", "en", "pt-BR"): claims and statements may be in any
# language the public uses, not only the two the UI ships in.
language_validator = RegexValidator(
    r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$", _("Use a language code such as fr, en, pt-BR.")
)
