# English pages keep the dd/mm/yyyy dates so printed lists match the Vietnamese ones;
# only the number separators follow English use.
from truonghoc.formats.vi.formats import *  # noqa: F403

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
