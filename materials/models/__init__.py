"""The materials app's models: the library (library.py), the question bank (questions.py) and tests
with their attempts (quizzes.py). Re-exported here so `materials.models.X` keeps working."""

from .library import (  # noqa: F401
    Kind,
    Licence,
    Material,
    MaterialReview,
    MaterialVersion,
    VersionStatus,
    material_file_path,
)
from .question_io import QuestionImport, QuestionImportRow  # noqa: F401
from .questions import CognitiveLevel, Question, QuestionReview, QuestionSource, QuestionType  # noqa: F401
from .quizzes import Attempt, AttemptAnswer, BlueprintRow, Quiz, QuizItem  # noqa: F401
