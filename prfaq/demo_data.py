"""Demo users and example PR/FAQs, seeded once by ``manage.py demo``."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from prfaq.content import Content, FaqEntry
from prfaq.document_templates import ONE_PAGER, PRFAQ
from prfaq.models import LEADERSHIP_GROUP, Document
from reviews.workflow import save_draft, start_document

DEMO_PASSWORD = "prfaq-demo"
DEMO_USERS = (
    ("author", "Avery", "Author", False),
    ("reviewer", "Riley", "Reviewer", False),
    ("leader", "Lee", "Leader", True),
)

RENTROLL_DRAFT = Content(
    sections={
        "headline": "RentRoll reconciles rent for small landlords",
        "problem": "Landlords need better software for rent.",
        "solution": "RentRoll connects to the bank and matches payments to tenants.",
    }
)

RENTROLL = Content(
    sections={
        "headline": "RentRoll tells small landlords who has paid the rent, the morning it lands",
        "subheading": (
            "Landlords with one to twenty units see every tenant's payment matched, late rent "
            "flagged and a reminder drafted, without opening a spreadsheet."
        ),
        "summary": (
            "LEEDS \u2014 March 2, 2027 \u2014 Homestead today launched RentRoll, a service that "
            "reads a landlord's bank feed each morning, matches every incoming payment to the "
            "tenant and the month it pays for, and tells the landlord in one message who is paid "
            "up, who is late and by how much. It is built for the 2.6 million people in the UK "
            "who let out a handful of homes alongside a day job."
        ),
        "problem": (
            "Today, a landlord with six flats spends the first week of every month checking "
            "bank statements against a spreadsheet of tenants. Tenants pay from partners' "
            "accounts, split the rent in two, or pay the housing benefit share on a different "
            "day, so a payment rarely says whose rent it is. In our interviews with 41 small "
            "landlords, the monthly reconciliation took a median of 3.5 hours, and 29 of them "
            "had chased a tenant for rent that had in fact been paid, souring a relationship "
            "they depend on. Late rent that is noticed two weeks late is also twice as likely "
            "to become arrears."
        ),
        "solution": (
            "RentRoll does the matching the landlord does by hand, every morning. It learns "
            "who pays for whom from the first month's confirmations, recognises split and "
            "partial payments, and sends one summary: paid, late, partly paid. For each late "
            "tenant it drafts a friendly reminder the landlord can send with one tap, so the "
            "first message a tenant gets is polite and on time."
        ),
        "leader_quote": (
            "\u201cSmall landlords told us the hardest part of letting is not the boiler or the "
            "paperwork, it is the awkward conversation about money,\u201d said Priya Natarajan, "
            "general manager of Homestead. \u201cRentRoll makes sure that conversation only "
            "happens when it needs to, and starts kindly.\u201d"
        ),
        "how_it_works": (
            "1. Connect the bank account rent arrives in (read-only, through Open Banking).\n"
            "2. Add tenants and their rent, or import last year's spreadsheet.\n"
            "3. Confirm the first month's matches; from then on RentRoll matches on its own.\n\n"
            "RentRoll costs \u00a34 a month per property, and the first three months are free."
        ),
        "customer_quote": (
            "\u201cI used to sit down with three months of statements and a highlighter,\u201d "
            "said Tom Okafor, who lets four flats in Bradford. \u201cNow I get a message at "
            "eight that says everyone has paid, and I believe it.\u201d"
        ),
        "call_to_action": "Landlords can start a free trial today at homestead.example/rentroll.",
    },
    faq=(
        FaqEntry(
            "Can RentRoll move money or see other accounts?",
            "No. It has read-only access to the one account you connect, and you can revoke it "
            "from your bank's app at any time.",
            "external",
            "customer",
        ),
        FaqEntry(
            "What if a tenant pays from someone else's account?",
            "RentRoll asks you once who the payment was for and remembers it; after the first "
            "month, 94% of payments in our pilot matched without a question.",
            "external",
            "customer",
        ),
        FaqEntry(
            "How many landlords could use this?",
            "About 2.6 million individual landlords in the UK; 1.1 million let two to twenty "
            "homes and manage them themselves. At \u00a34 per property and 5% of that group "
            "in three years, revenue is \u00a313 million a year.",
            "internal",
            "market-size",
        ),
        FaqEntry(
            "Why should Homestead build this?",
            "We already hold tenancy agreements for 180,000 properties through our deposit "
            "service; RentRoll turns a once-a-tenancy relationship into a monthly one, and "
            "no competitor combines bank matching with tenancy data.",
            "internal",
            "strategy-fit",
        ),
        FaqEntry(
            "Why now?",
            "Open Banking account access became free for regulated providers in 2025, and the "
            "Renters' Rights Act makes written, timely rent reminders part of good practice.",
            "internal",
            "why-now",
        ),
        FaqEntry(
            "What does it cost us, and when does it pay back?",
            "Build: 6 engineers for 7 months, \u00a3840,000. Running costs: \u00a30.60 per "
            "property a month (bank data and messages). At \u00a34 per property, gross margin "
            "is 85%; we break even at 21,000 properties, which our deposit customers alone "
            "could reach in year two.",
            "internal",
            "finances",
        ),
        FaqEntry(
            "What do we depend on outside the team?",
            "An Open Banking aggregator (two shortlisted, both with UK coverage of 98% of "
            "current accounts) and the deposit team's tenancy API, which needs a read-only "
            "endpoint by June.",
            "internal",
            "dependencies",
        ),
        FaqEntry(
            "What is the hardest technical problem?",
            "Matching split and partial payments with no reference. The pilot's rules matched "
            "94% after one month; the remaining 6% fall back to asking the landlord, so a "
            "wrong match is never silent.",
            "internal",
            "technical-risk",
        ),
    ),
)

ARCHIVE = Content(
    sections={
        "headline": "Archive finished projects in one click",
        "problem": (
            "Team workspaces fill up with finished projects. People scroll past dozens of "
            "stale boards every day to find the three they work on."
        ),
        "solution": "",
        "success": "",
    }
)

MEETINGS = Content(
    sections={
        "headline": "Meeting notes that write themselves",
        "subheading": "A draft, not yet ready for anyone else.",
        "problem": "",
    }
)


@transaction.atomic
def seed_demo() -> list[str]:
    """Create whatever of the demo data is missing; return what was created."""
    User = get_user_model()
    leadership, _ = Group.objects.get_or_create(name=LEADERSHIP_GROUP)
    created: list[str] = []
    users = {}
    for username, first, last, leads in DEMO_USERS:
        user, new = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "email": f"{username}@example.com"},
        )
        if new:
            user.set_password(DEMO_PASSWORD)
            user.save()
            created.append(f"user {username}")
        if leads:
            user.groups.add(leadership)
        users[username] = user

    author = users["author"]
    examples = (
        ("RentRoll for small landlords", PRFAQ, (RENTROLL_DRAFT, RENTROLL), False),
        ("Archive finished projects", ONE_PAGER, (ARCHIVE,), False),
        ("Meeting notes (early draft)", PRFAQ, (MEETINGS,), True),
    )
    for title, outline, versions, restricted in examples:
        if Document.objects.filter(owner=author, title=title).exists():
            continue
        document = start_document(owner=author, title=title, template=outline)
        for content in versions:
            save_draft(
                document=document,
                by=author,
                title=title,
                content=content,
                base_version=document.version,
                checkpoint=True,
            )
        if restricted:
            document.set_sharing(restricted=True, collaborators=[])
        created.append(f"document \u201c{title}\u201d")
    return created
