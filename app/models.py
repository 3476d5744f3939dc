"""Import every domain's models so the mappers (and Alembic) see the whole schema."""

from app.org.models import School, Unit  # noqa: F401
from app.personnel.models import (  # noqa: F401
    AnnualRating,
    Assignment,
    AwardDiscipline,
    Certificate,
    EthnicGroup,
    Person,
    Qualification,
    QualificationLevel,
    RankHistory,
    SalaryRank,
    Subject,
    TrainingCourse,
)
from app.security.models import PortalUser  # noqa: F401
