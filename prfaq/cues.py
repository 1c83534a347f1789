"""Reading prose for the working backwards signals: customer pain, product talk, numbers.

Cue lexicons plus structure, no memorised sentences: the importer uses these
to find the problem paragraph in pasted prose, and the review gates use them
to judge it. Plain functions over strings; no Django.
"""

import re
from functools import cache, lru_cache

_WORD = re.compile(r"[A-Za-z\u00C0-\u024F][\w'\u2019-]*")
_SENTENCE_END = re.compile(r"(?<=[.!?\u2026])[\"'\u201d\u2019)]*\s+(?=[\"'\u201c\u2018(]?[A-Z0-9])")
NUMBER = re.compile(
    r"(?<![A-Za-z])(?:[$\u00a3\u20ac\u00a5]\s?)?\d[\d,.]*\s?(?:%|percent|k|m|bn|million|billion|thousand|hours?|minutes?|days?|weeks?|months?|years?)?"
)


def word_pattern(words: str, *, whole_words: bool = False) -> re.Pattern[str]:
    """A list of lowercase words and phrases ("a|b c|d"), matching where one begins (and
    ends, with ``whole_words``) in lowercased text, as ``count`` matches it: five times
    faster than matching a hundred alternatives with IGNORECASE. Made a prefix tree
    (``_tree``): the regex engine tries a hundred alternatives one after the other at
    every word, and a tree of them a few letters (three times faster again)."""
    phrases = _phrases(words)
    tree = re.compile(rf"\b(?:{_tree(phrases)})" + (r"\b" if whole_words else ""))
    PHRASES[tree] = phrases
    return tree


PHRASES: dict[re.Pattern[str], list[str]] = {}  # each word list's phrases, as listed


def _phrases(words: str) -> list[str]:
    """Each word or phrase of ``words`` as a pattern: spaces match any run of white space."""
    parts = [w.strip().lower() for w in words.split("|") if w.strip()]
    return [p.replace(" ", r"\s+") for p in parts]


_PIECE = re.compile(r"\\s\+|\\b|\[[^\]]*\]|.")  # \s+, \b, a character class, a character
# What a phrase may hold: the tree is built of those pieces, and anything else of a
# regular expression (a group, "|", an escape) would be cut up into a different one.
_PHRASE = re.compile(r"(?:\\s\+|\\b|\[[a-z]+\]|[a-z0-9'\u2019-])+")


def _tree(phrases: list[str]) -> str:
    """``phrases`` as one pattern that shares their common beginnings ("wait|waits|waited"
    as "wait(?:s|ed)?"). Where one phrase begins another, the longer is tried first;
    matched one after the other, the first listed won. ``count`` counts the same either
    way for the word lists here (a test compares the two)."""
    tree: dict = {}
    for phrase in phrases:
        if not _PHRASE.fullmatch(phrase):
            raise ValueError(f"Not a plain phrase for a word pattern: {phrase!r}")
        node = tree
        for piece in _PIECE.findall(phrase):
            node = node.setdefault(piece, {})
        node[""] = {}  # a phrase ends here

    def pattern(node: dict) -> str:
        branches = [piece + pattern(child) for piece, child in node.items() if piece]
        if not branches:
            return ""
        joined = branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"
        if "" not in node:
            return joined
        return f"(?:{joined})?" if len(branches) == 1 else f"{joined}?"

    return pattern(tree)


# Numbers in words, as whole words (matched in lowercased text, as ``has_number`` does).
NUMBER_WORDS = word_pattern(
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty"
    "|fifty|hundred|hundreds|thousand|thousands|million|millions|half|third|quarter|dozen"
    "|dozens|twice|double",
    whole_words=True,
)

# What customers suffer: time lost, money lost, errors, waiting, risk, effort by hand.
PAIN = word_pattern(
    "spend|spends|spent|spending|waste|wastes|wasted|wasting|lose|loses|lost|losing|loss"
    "|miss|misses|missed|missing|wait|waits|waited|waiting|delay|late|later than|slow"
    "|hard to|hard for|harder|difficult|struggl|frustrat|annoy|confus|error|mistake|wrong"
    "|manual|by hand|spreadsheet|paper|clipboard|whiteboard|sticky note|phone call|calls around"
    "|call around|chase|chasing|cost them|costs them|costing|expensive|risk|fail|can't|cannot"
    "|can not|unable|don't know|do not know|doesn't know|does not know|no way to|no idea"
    "|forced to|have to|has to|had to|must |nobody|no one|never|rarely|end up|ends up|give up"
    "|gives up|abandon|churn|complain|overtime|burn out|burnout|stress|tired|exhaust|worr"
    "|anxious|afraid|fear|dangerous|unsafe|injur|accident|fined|fines|penalt|stuck|guess"
    "|unreliable|out of date|outdated|stale|duplicat|re-enter|retype|re-type|copy and paste"
    "|copy-paste|scattered|buried|lose track|lost track|forget|forgot|backlog|queue"
    "|turn away|turned away|leave without|walk out|walks out|hassle|tedious|painful|pain\\b"
    "|burden|bottleneck|inefficien|unpredictab|uncertain|surprise|damage|spoil|shortage"
    "|run out|runs out|ran out|out of stock|sold out|idle|downtime|outage|interrupt|disrupt"
    "|juggl|only to|instead of|too long|too late|too many|too much|hours|afternoon|evenings"
    "|weekends|nights\\b|scramble|rework|refund|cancel|no-show|drop out|dropout|sick|overdue"
    "|arrears|debt|lost revenue|wasted|pile up|piles up|fall through|falls through|gap\\b|gaps\\b"
    "|blind|unclear|by memory|from memory|rely on|relies on|depend on|depends on|workaround"
    "|expire|spoilage|shrink|theft|fraud|breach|leak|complaint|dissatisf|unhappy|angry"
    "|embarrass|awkward|worse|poor|bad\\b|broken|flaky|crash|lag\\b|lags\\b|bounce|reject|denied|declin"
    "|miscommunicat|misread|misunderstand|mismatch|inaccura|double-book|overbook|overlap"
    "|paperwork|admin\\b|red tape|friction|hurdle|obstacle|barrier|limited|lack\\b|lacks"
    "|without|short of"
)
# Now, not after launch: the present tense of the customer's routine.
TODAY = word_pattern(
    "today|currently|right now|at the moment|these days|still|every day|every week"
    "|every month|every morning|every evening|every night|every year|every shift|every time"
    "|each day|each week|each month|each morning|each evening|each night|each year|each shift"
    "|typical|typically|usually|often|most of|routinely|regularly|in practice|on average"
)
# Talk about the product or the technology rather than the customer.
PRODUCT = word_pattern(
    "our new|our |we will|we'll|we are building|we're building|we are launching|we build"
    "|we built|will build|will launch|will offer|will provide|will let|will allow|will use"
    "|launch|introduc|announc|platform|the app\\b|an app\\b|mobile app|application|feature"
    "|dashboard|integrat|api\\b|apis\\b|powered|leverag|combin|algorithm|machine learning"
    "|artificial intelligence|ai\\b|computer vision|iot\\b|sensor|blockchain|cloud\\b|saas\\b"
    "|data lake|llm|large language|analytics|neural|deep learning|model\\b|models\\b|real-time"
    "|real time"
    "|automatically|seamless|cutting-edge|state-of-the-art|next-generation|innovative"
    "|solution|lets |allows|enables|provides|offers|delivers|uses |built on|rfid|gps\\b|bluetooth"
    "|microservice|kubernetes|serverless|engine\\b|module|plug-in|plugin|widget|chatbot|bot\\b"
    "|available at|available in|embedded|syncs|indexes|ranks|pre-fill|prefill|one click|one tap"
    "|setting\\b|settings\\b|toggle|notification|sidebar|ships|cutover|mode\\b|retrain|ingests"
    "|predicts|pushes|at launch|new\\b|catalogue|catalog\\b|interface|screen\\b|button"
    "|system\\b|systems\\b|tool\\b|tools\\b|service\\b|software|generates|validates|uploads"
    "|synchroni[sz]|automated|web form|rules engine|backed by|is uploaded|are uploaded"
)
TECHNOLOGY = word_pattern(
    "machine learning|artificial intelligence|ai\\b|computer vision|iot\\b|sensor|blockchain"
    "|cloud\\b|saas\\b|data lake|llm|large language model|analytics|neural|deep learning|rfid"
    "|gps\\b|bluetooth|api\\b|apis\\b|platform|algorithm|app\\b|apps\\b|dashboard|satellite"
    "|lidar|drone|robot|5g\\b|edge computing|digital twin|smart contract|nfc\\b|beacon|chatbot"
    "|recommendation engine|predictive model|forecasting model|data warehouse|microservice"
    "|kubernetes|serverless|database|our existing|existing|proprietary|data set|dataset"
    "|network of|fleet of|infrastructure|push notification|sms\\b|webhook|integration|camera"
    "|barcode|scanner|speech-to-text|text-to-speech|ocr\\b|optical character|voice recognition"
)
COMBINATION = re.compile(
    r"\b(?:by\s+)?combin\w*|\bbring\w*\s+together|\bpowered\s+by|\bleverag\w*|\bmerg\w*"
    r"|\bfus(?:e|es|ing)\b|\bmarry\w*|\bpair\w*\s+(?:\w+\s+){0,4}with|\buses?\s+(?:\w+\s+){0,4}and\b"
    r"|\busing\s+(?:\w+\s+){0,4}and\b|\bbuilt\s+on\b|\bon\s+top\s+of\b|\+",
    re.IGNORECASE,
)
PRODUCT_NOUN = (
    r"(?:app|application|tool|service|platform|system|product|feature|dashboard|catalogue"
    r"|catalog|assistant|portal|software|solution|engine|device|sensor|bot|chatbot|api|plugin"
    r"|integration|offering|module|kit|subscription)"
)
LEADS_WITH_OUR = re.compile(
    r"^\W*(?:introducing\b|meet\b|announcing\b|with\s+(?:our|the\s+new)\b"
    rf"|our\s+(?:new\s+|\w+\s+){{0,2}}{PRODUCT_NOUN}s?\b"
    rf"|this\s+{PRODUCT_NOUN}\b"
    r"|[\w'\u2019 -]{1,60}?\b(?:is|are)\s+(?:a|an|our|the)\s+(?:new|next)\b"
    r"|[\w'\u2019 -]{1,60}?\b(?:get|gets|receive|receives)\s+(?:a|an)\s+new\s+"
    rf"(?:[\w-]+\s+){{0,2}}{PRODUCT_NOUN})"
    r"|\bour\s+new\b",
    re.IGNORECASE,
)
WE_WILL_BUILD = re.compile(
    r"\bwe(?:'ll|\u2019ll|\s+will|\s+are\s+going\s+to|\s+plan\s+to|\s+intend\s+to|\s+want\s+to)"
    r"\s+(?:build|launch|creat|develop|introduc|ship|releas|offer|deliver|provid|design|roll\s+out"
    r"|bring|mak)\w*"
    r"|\bwe(?:\s+are|\u2019re|'re)\s+(?:building|launching|creating|developing|introducing|shipping"
    r"|releasing|rolling\s+out)\b",
    re.IGNORECASE,
)

PERSON_WORDS = frozenset(
    """
    customer customers client clients user users people person persons someone somebody
    anyone everyone everybody nobody staff team teams employee employees worker workers
    owner owners family families parent parents child children kid kids student students
    patient patients teacher teachers nurse nurses doctor doctors driver drivers manager
    managers member members buyer buyers shopper shoppers seller sellers tenant tenants
    landlord landlords traveller travellers traveler travelers guest guests resident
    residents citizen citizens farmer farmers crew crews engineer engineers developer
    developers analyst analysts agent agents operator operators officer officers
    clinician clinicians caregiver caregivers carer carers volunteer volunteers
    householder householders homeowner homeowners consumer consumers subscriber
    subscribers reader readers listener listeners viewer viewers fan fans player players
    athlete athletes coach coaches rider riders passenger passengers commuter commuters
    pilot pilots skipper skippers fisherman fishermen chef chefs cook cooks waiter
    waiters cashier cashiers clerk clerks accountant accountants lawyer lawyers
    pharmacist pharmacists dentist dentists vet vets veterinarian veterinarians
    technician technicians mechanic mechanics electrician electricians plumber plumbers
    builder builders contractor contractors supplier suppliers vendor vendors merchant
    merchants retailer retailers shopkeeper shopkeepers founder founders freelancer
    freelancers artist artists musician musicians writer writers translator translators
    curator curators adjuster adjusters picker pickers planner planners dispatcher
    dispatchers admin admins administrator administrators receptionist receptionists
    assistant assistants researcher researchers scientist scientists student's who whom
    whose they them their theirs you your yours he she him her his hers i me my we us
    humans human man men woman women mother mothers father fathers grandparent
    grandparents pupil pupils learner learners trainee trainees applicant applicants
    candidate candidates recruiter recruiters hirer employer employers business
    businesses company companies shop shops store stores restaurant restaurants clinic
    clinics rancher ranchers grower growers practice practices school schools hospital
    hospitals household households organisation organisations organization organizations
    firm firms agency agencies landlady seniors elderly
    """.split()
)
_PERSON_SUFFIX = re.compile(r"^[a-z]{3,}(?:ers|ors|ists|ians|ants|ees|eurs)$")
# "a rancher", "every dispatcher", "the on-call engineer": a role in the singular.
_SINGULAR_ROLE = re.compile(
    r"\b(?:a|an|the|each|every|one|any|this|that|whichever)\s+(?:[\w-]+\s+){0,2}?"
    r"[a-z]{3,}(?:er|or|ist|ian|ant|ee|eur)\b"
)
# Singular words with a role's ending that name things, not people.
_OBJECTS = frozenset(
    """
    other another either neither whether together rather water paper number order letter
    matter center centre corner layer header chapter answer calendar register browser cluster
    compressor processor generator indicator calculator detector reactor vector factor error
    mirror color colour door floor printer computer server router container filter meter motor
    rotor sensor monitor elevator trailer tractor scanner folder counter charger adapter
    adaptor remainder reminder weather winter summer quarter dinner corridor interior exterior
    anchor harbor harbour tutor ledger border order timer timestamp transmitter receiver
    controller connector conveyor thermometer barometer transformer inverter converter
    accelerator radiator ventilator respirator stethoscope device element event content
    percent amount account payment statement document moment parent patent plant giant tenant
    """.split()
)
_NOT_PEOPLE = frozenset(
    """
    numbers orders papers letters matters others computers servers containers waters
    offers filters layers headers folders parameters centers centres corners answers
    chapters members' markers meters metres liters litres dollars errors sensors
    monitors factors vectors motors doors floors colors colours mirrors indicators
    calculators elevators documents moments payments comments components statements
    segments departments investments governments requirements environments equipments
    instruments treatments appointments assignments shipments agreements settlements
    amounts accounts discounts points counts events students' percents contents intents
    parents' plants restaurants giants elements fragments increments ingredients
    incidents accidents
    """.split()
)


def words(text: str) -> list[str]:
    return [w.lower().strip("'\u2019-") for w in _WORD.findall(text)]


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(" ".join(text.split())) if s.strip()]


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]


def has_person(text: str) -> bool:
    """Whether a person or a group of people (a customer) appears in ``text``."""
    for match in _SINGULAR_ROLE.finditer(text.lower()):
        role = match.group(0).split()[-1]
        if role not in _NOT_PEOPLE and role not in _OBJECTS:
            return True
    for word in words(text):
        if word in PERSON_WORDS:
            return True
        if _PERSON_SUFFIX.match(word) and word not in _NOT_PEOPLE:
            return True
    return False


def count(words: re.Pattern[str], text: str) -> int:
    """How often one of ``words`` (a ``word_pattern``) occurs in ``text``, case aside."""
    return len(words.findall(text.lower()))


def find(words: re.Pattern[str], text: str) -> str | None:
    """The first of ``words`` (a ``word_pattern``) in ``text``, as written there, case
    aside; None if there is none.

    Matched in the lowercased text, unless lowercasing makes it longer or shorter (an "İ"
    becomes two characters, the second no letter): there the lowercase would have word
    boundaries the text has not, and would not say where the word is in it."""
    lowered = text.lower()
    if len(lowered) == len(text):
        match = words.search(lowered)
        return text[match.start() : match.end()] if match else None
    match = _any_case(words).search(text)
    return match.group(0) if match else None


@cache
def _any_case(words: re.Pattern[str]) -> re.Pattern[str]:
    return re.compile(words.pattern, re.IGNORECASE)


_DIGIT = re.compile(r"\d")


def has_number(text: str) -> bool:
    return bool(_DIGIT.search(text)) or find(NUMBER_WORDS, text) is not None


def pain_score(text: str) -> float:
    """How much ``text`` reads like a customer's pain today (per 100 words, plus structure)."""
    n = max(len(words(text)), 1)
    pain = count(PAIN, text)
    today = count(TODAY, text)
    product = count(PRODUCT, text)
    score = (pain + 0.6 * today - 0.8 * product) * 100 / n
    if has_person(text):
        score += 2.0
    return score


def product_score(text: str, names: frozenset[str] = frozenset()) -> float:
    """How much ``text`` talks about the product or technology (per 100 words)."""
    n = max(len(words(text)), 1)
    hits = count(PRODUCT, text) + sum(text.count(name) for name in names)
    return hits * 100 / n


@lru_cache(maxsize=256)
def _name_pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w]){re.escape(name)}(?![\w])")


_COMMON_CAPITALISED = frozenset(
    """
    A An The This That These Those It Its In On At For From With Without By To Of And Or
    But Our We You Your Their They Today Now New Every Each All Any No Not One Two Three
    Four Five Why How What When Where Who Which Q A: Press Release FAQ Frequently Asked
    Questions Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February
    March April May June July August September October November December Launches Launch
    Announces Introduces Helps Lets Makes Gives Tells Brings Finds Keeps Turns Shows
    Sends Saves Puts Adds Cuts Stops UK US USA EU UN Inc Ltd LLC Co Corp I Mr Ms Mrs Dr
    St Mt
    """.split()
)


# "… today launched Loanbook, a …": the summary names what launches.
LAUNCHED = re.compile(
    r"\b(?:launch(?:ed|es)|announc(?:ed|es)|introduc(?:ed|es)|unveil(?:ed|s)|releas(?:ed|es)"
    r"|open(?:ed|s)|roll(?:ed|s) out)\s+(?:the\s+|its\s+|a\s+new\s+)?"
    r"([A-Z][\w\u00C0-\u024F-]*(?:\s+[A-Z][\w\u00C0-\u024F-]*){0,3})"
)


# "Tidewater today announced …": the organisation launching, not the product.
LAUNCHER = re.compile(
    r"([A-Z][\w&\u00C0-\u024F-]*(?:\s+[A-Z][\w&\u00C0-\u024F-]*){0,5})\s+(?:today\s+)?"
    r"(?:launch|announc|introduc|unveil|releas|open|roll)\w*"
)


@lru_cache(maxsize=64)
def product_names(title: str, headline: str, summary: str) -> frozenset[str]:
    """Likely names of the product: capitalised words of the headline seen again nearby.

    Remembered per texts: every autosave's gates ask it, and its sections rarely change."""
    names: set[str] = set()
    head = f"{title}\n{headline}"
    for match in re.finditer(r"\b[A-Z][\w\u00C0-\u024F]*(?:[ -][A-Z][\w\u00C0-\u024F]*)*", head):
        tokens = match.group(0).split(" ")
        while tokens and tokens[0] in _COMMON_CAPITALISED:
            tokens.pop(0)
        while tokens and tokens[-1] in _COMMON_CAPITALISED:
            tokens.pop()
        names.update(t for t in tokens if re.search(r"[a-z][A-Z]", t))  # CamelCase: a name
        joined = " ".join(tokens)
        if len(tokens) >= 2 and (joined in summary or joined in title):
            names.add(joined)
    launchers = {m.group(1) for m in LAUNCHER.finditer(summary)}
    names -= launchers
    for match in LAUNCHED.finditer(summary):
        tokens = match.group(1).split()
        while tokens and tokens[-1] in _COMMON_CAPITALISED:
            tokens.pop()
        if tokens and tokens[0] not in _COMMON_CAPITALISED:
            names.add(" ".join(tokens))
    return frozenset(names)


def mentions(text: str, names: frozenset[str]) -> str | None:
    return next((n for n in names if _name_pattern(n).search(text)), None)


TOKEN_TEXT = re.compile(
    r"(?:tbd|tbc|todo|to do|fixme|xxx+|lorem ipsum.*|n/?a|none|nothing|placeholder"
    r"|problem(?: goes)? here.*|write (?:the|a) problem.*|coming soon)",
    re.IGNORECASE,
)


@lru_cache(maxsize=64)
def is_token_text(text: str) -> bool:
    """Empty, a placeholder, or too short to state anybody's problem.

    Remembered per text: two gates ask it of the problem paragraph on every autosave."""
    stripped = text.strip()
    if not re.search(r"\w", stripped):
        return True  # empty, or punctuation only
    if TOKEN_TEXT.fullmatch(_without_edges(stripped)):
        return True
    return len(words(stripped)) < 8


def _word_character(character: str) -> bool:
    return character.isalnum() or character == "_"  # what \w matches


def _without_edges(text: str) -> str:
    """``text`` without what is not a word character at its start and end, as
    ``re.sub(r"^\\W+|\\W+$", "", text)`` gives, without trying the second at every
    character of a long text."""
    start, end = 0, len(text)
    while start < end and not _word_character(text[start]):
        start += 1
    while end > start and not _word_character(text[end - 1]):
        end -= 1
    return text[start:end]


def first_sentence(text: str) -> str:
    found = sentences(text)
    return found[0] if found else text.strip()


class Reason(str):
    """Why a paragraph is about the product; ``kind`` says which sign gave it away."""

    kind: str

    def __new__(cls, text: str, kind: str) -> "Reason":
        reason = super().__new__(cls, text)
        reason.kind = kind
        return reason


@lru_cache(maxsize=256)
def solution_first_reason(text: str, names: frozenset[str] = frozenset()) -> Reason | None:
    """Why a would-be problem paragraph is about the product instead of the customer, if it is.

    Remembered per text: two gates ask it of every autosave's unchanged problem paragraph.
    """
    opening = first_sentence(text)
    lead = " ".join(opening.split()[:8])
    name = mentions(lead, names)
    if name:
        return Reason(f"leads with the product's name (\u201c{name}\u201d)", "name")
    if LEADS_WITH_OUR.search(opening) or re.search(r"\bour\s+new\b", opening, re.IGNORECASE):
        return Reason("leads with the product rather than the customer", "ours")
    if WE_WILL_BUILD.search(opening):
        return Reason("says what we will build or launch", "ours")
    technologies = count(TECHNOLOGY, text)
    if (COMBINATION.search(opening) and technologies >= 2) or technologies >= 4:
        return Reason("describes a combination of technologies or assets", "technology")
    if not has_person(text):
        return Reason("has no customer in it", "no-customer")
    product, pain = count(PRODUCT, text), count(PAIN, text) + count(TODAY, text)
    if (mentions(text, names) and product >= pain) or (product >= 3 and product > 2 * pain):
        return Reason("describes the product more than the customer's pain", "product")
    if pain == 0 or (pain <= 2 and len(words(text)) >= 35):  # short paragraphs say less
        return Reason("says little about what the customer suffers today", "no-pain")
    return None
