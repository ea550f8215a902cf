"""The model-file allow-list lives in `week4.trust` (students import it inside the sandbox,
where `week4.serving` is not visible); kept here for the service's own imports."""

from week4.trust import TRUSTED_TYPES  # noqa: F401
