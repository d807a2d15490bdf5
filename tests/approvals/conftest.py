# The people around School S1 that the materials tests use: the engine is tested through its two real users.
from tests.materials.conftest import people  # noqa: F401
