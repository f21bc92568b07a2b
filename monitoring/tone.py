"""The tone of a mention (negative / neutral / positive) in French and English, from a lexicon.

Why a lexicon of our own: the maintained libraries are English-only (VADER) or need
models downloaded at run time; a crisis cell reads French first. The lexicon below is
documented here and the cell extends it with its own words (ToneWord rows), e.g. the
name of a competitor's scandal. Words are stored folded (lower case, no accents), the
way `matching.fold` reads texts, so "décevant" and "DECEVANT" are one entry.

The score is the sum of word polarities; a negation within the two words before a
word flips it ("pas terrible", "not good" is negative, "pas de problème" positive);
"!!" and all-caps do not count (a shout is not a tone). Accuracy on the labelled
French and English set in tests/monitoring/tone_set.tsv is measured by a test and
printed in the README.
"""

import re

WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")

NEGATIVE = """
arnaque arnaques arnaqueur escroc escroquerie scandale scandaleux scandaleuse honte honteux honteuse
nul nulle nuls nulles pire pires horrible horribles catastrophe catastrophique desastre desastreux
decu decue decus decues decevant decevante decevants deception inadmissible inacceptable
inquiet inquiete inquiets inquietes inquietude inquietant inquietante dangereux dangereuse danger
toxique toxiques intoxication malade malades brule brulent brulee brulure brulures allergie allergique irritation
rappel retire retrait boycott boycotter boycottez colere furieux furieuse enerve enervee
mensonge mensonges menteur menteurs ment mentent mentir trompe tromper tromperie
plainte plaintes porter rembourser remboursement panne pannes bug bugs bloque bloquee casse cassee
defectueux defectueuse probleme problemes souci soucis grave graves mort morts deces blesse blesses
lamentable minable ridicule inutile mauvais mauvaise mauvaises mauvaises pourri pourrie degoutant
degoute degoutee jamais-plus fuyez fuir evitez eviter attention alerte polemique crise
choque choquee choquant choquante indigne indignes revoltant revoltante insupportable
retard retards injoignable ignore ignores ignorent silence abandonne lache desagreable meprisant
meprisante perdu faux fausse
scam scams scandal shame shameful awful terrible horrible worst worse bad poor disgusting disgusted
disappointed disappointing disappointment unacceptable outrageous outrage angry furious
toxic poisoned poisoning sick ill burn burns burned rash allergic allergy injured injury dead death
recall recalled boycott lie lies lying liar liars cheated cheat fraud fake misleading
broken broke defective faulty failure fail failed fails crash crashed bug buggy useless
refund complaint complaints complain problem problems issue issues dangerous danger unsafe
worried worrying worry concerning concern scary afraid never-again avoid warning beware
delay delayed late ignored ignoring unanswered rude pathetic fools ridiculous nightmare hate hated
stolen leak leaked breach hacked sued lawsuit
"""

POSITIVE = """
merci bravo super genial geniale excellent excellente excellents parfait parfaite top
satisfait satisfaite satisfaits content contente contents ravi ravie ravis heureux heureuse
bien bon bonne bons bonnes meilleur meilleure adore adorer aime aimer j'adore magnifique
efficace efficaces rapide rapidement professionnel professionnelle reactif reactive reactifs
rassure rassuree rassurant rassurante transparent transparente transparence clair claire
recommande recommander conseille fiable fiables agreable meilleurs meilleures sympa chapeau felicitations
resolu resolue regle reglee rembourse remboursee solution aide aidant utile utiles impeccable
thanks thank great excellent perfect awesome amazing love loved loving like liked happy glad
satisfied pleased good best better nice wonderful fantastic brilliant helpful quick fast
reliable recommend recommended impressed impressive kudos congrats congratulations
reassuring reassured transparent clear resolved fixed solved refunded professional friendly
appreciate appreciated well-handled smooth delighted efficient
"""

NEGATORS = frozenset(
    [
        "pas",
        "ne",
        "n",
        "plus",
        "jamais",
        "aucun",
        "aucune",
        "rien",
        "ni",
        "not",
        "no",
        "never",
        "nothing",
        "dont",
        "don",
        "t",
        "isn",
        "wasn",
        "aren",
        "cannot",
    ]
)

# Words in both lists by design would cancel out; none today. "bien" alone is positive but
# frequent as an intensifier ("bien trop cher"): it counts only when not followed by "trop".
BUILTIN: dict[str, int] = dict.fromkeys(NEGATIVE.split(), -1)
BUILTIN.update(dict.fromkeys(POSITIVE.split(), 1))

FRENCH_HINTS = frozenset(
    [
        "le",
        "la",
        "les",
        "des",
        "une",
        "est",
        "et",
        "pour",
        "pas",
        "avec",
        "sur",
        "dans",
        "que",
        "qui",
        "je",
        "vous",
        "nous",
        "c",
        "est",
    ]
)
ENGLISH_HINTS = frozenset(
    ["the", "and", "is", "are", "for", "not", "with", "on", "in", "that", "this", "you", "we", "i", "it", "of", "to"]
)


def score(folded: str, lexicon: dict[str, int] | None = None) -> int:
    lexicon = BUILTIN if lexicon is None else lexicon
    words = WORD.findall(folded)
    if lexicon.keys().isdisjoint(words):
        return 0  # most mentions: one set operation in C instead of a loop over their words
    total = 0
    negated_until = -1
    for position, word in enumerate(words):
        if word in NEGATORS:
            negated_until = position + 2
            continue
        polarity = lexicon.get(word)
        if polarity:
            if word == "bien" and position + 1 < len(words) and words[position + 1] == "trop":
                continue
            total += -polarity if position <= negated_until else polarity
    return total


def tone(folded: str, lexicon: dict[str, int] | None = None) -> int:
    """-1, 0 or 1 (models.Tone) for a folded text."""
    value = score(folded, lexicon)
    return (value > 0) - (value < 0)


def guess_language(folded: str) -> str:
    """'fr', 'en' or '' from the commonest little words: for records that do not say."""
    words = WORD.findall(folded[:400])
    french = sum(word in FRENCH_HINTS for word in words)
    english = sum(word in ENGLISH_HINTS for word in words)
    if french == english:
        return ""
    return "fr" if french > english else "en"


def lexicon_for_cell(cell_id: int) -> dict[str, int]:
    """The built-in lexicon plus the cell's own words (which win)."""
    from .matching import fold
    from .models import ToneWord

    extra = dict(ToneWord.objects.filter(cell_id=cell_id).values_list("word", "polarity"))
    if not extra:
        return BUILTIN
    return {**BUILTIN, **{fold(word): polarity for word, polarity in extra.items()}}
