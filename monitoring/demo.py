"""Monitoring's part of the demo cell (registered in incidents.demo by MonitoringConfig.ready()).

Two sources, two watchlists and about 220 French posts over the last two days,
with the spike of the Hydra+ rumour about three hours ago. Everything goes through
the app's own path: the posts are ingested as a batch (matching, tone, counters),
and the alerts are what detection finds when it evaluates the watchlists at the
peak, as the worker did then. Posts are made from a fixed seed: every demo is alike.
"""

import random
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from . import detection, ingest, services
from .models import Alert, AlertCause, AlertStatus, Source, SourceKind, Watchlist

SOCIAL = "Réseaux sociaux (agrégateur)"
PRESS = "Presse et blogs"
BRAND = "Maison Durand — marque et dirigeants"
PRODUCT = "Crème Hydra+"
SEED = 2411
# Minutes before now: the video appears, the peak's 15 minutes end.
SPIKE_START, PEAK_END = 190, 160

HANDLES = """julie_lyon nanou75 maman_de_trois skincare.clara thomas_b lea.mrt soso_beaute camille.rdl
karim_13 ma_routine_peau audrey.bzh manon_dsgn pauline.vb elodie_v marie.cosmetiques fred_titi
lucie.mtp sarah_k justine.beaute aurelien_p chloe.skin hugo.lgx zoe_et_moi claire_bdx
emma.naturelle vincent.r"""

BRAND_POSTS = [
    "Reçu ma commande Maison Durand, emballage impeccable 👌",
    "Le sérum Éclat de Maison Durand, meilleur achat de l'année",
    "Colis Maison Durand toujours pas arrivé, 9 jours après le Black Friday… #MaisonDurand",
    "Service client Maison Durand injoignable, commande en retard depuis une semaine",
    "Maison Durand recrute à Lyon, si ça intéresse quelqu'un",
    "Interview de Claire Durand ce matin à la radio, intéressant sur le made in France",
    "Un code promo Maison Durand qui marche encore ?",
    "Merci Maison Durand pour le petit échantillon glissé dans le colis, super attention",
    "#MaisonDurand le coffret de Noël est déjà en rupture ?",
    "Livraison Maison Durand en retard, mais le service client a été réactif",
    "Claire Durand parle de l'usine de Chartres dans le podcast de la semaine",
    "Les produits Maison Durand sont fabriqués en France ? Quelqu'un sait ?",
]
PRODUCT_POSTS = [
    "Ma routine du soir : Hydra+ puis huile de jojoba ✨",
    "Hydra+ tient vraiment ses promesses sur peau sèche, top",
    "Quelqu'un a testé la crème Hydra+ ? Avis ?",
    "Hydra+ en rupture dans mon Monop 😩",
    "Troisième pot de Hydra+, je ne change plus #HydraPlus",
    "La crème Hydra+ de Maison Durand, parfaite en hiver",
]
SPIKE_POSTS = [
    "Vous avez vu la vidéo sur la crème Hydra+ ? Un allergène caché pas sur l'étiquette, inquiétant 😳",
    "Je jette ma crème Hydra+ direct. Allergie de ma fille l'an dernier, tout s'explique ?",
    "#HydraPlus allergène caché : honteux, Maison Durand doit s'expliquer",
    "Plaques rouges et brûlures après Hydra+, quelqu'un d'autre ? #HydraPlus",
    "Scandale Hydra+ : si c'est vrai c'est grave",
    "Attention à la crème Hydra+, allergène non déclaré d'après cette vidéo",
    "On attend la parole de @maisondurand sur Hydra+. Le silence est inquiétant.",
    "RT si vous utilisez Hydra+ 😬 #HydraPlus",
    "Ma dermato m'avait déconseillé Hydra+ (irritation), je comprends mieux",
    "C'est une rumeur ou pas cette histoire d'Hydra+ ? Quelqu'un a une source sérieuse ?",
    "Irritation après la crème Hydra+ depuis des mois, je pensais que c'était moi",
    "Maison Durand et Hydra+ : la vidéo fait 120 000 vues, ça va être une crise",
    "Déçue par Hydra+ et par le silence de Maison Durand",
    "Hydra+ retiré des rayons ? Dans mon magasin il est encore là",
]
# Said once each: the odd and hostile ones a real stream carries.
ODD_POSTS = [
    "BOYCOTTEZ Maison Durand !!! Ils empoisonnent nos enfants avec Hydra+ #HydraPlus",
    "<b>Hydra+</b> = POISON <script>alert('hydra')</script>",
    "Hydra+ à -90 % ici 👉 http://promo.example/xyz 🔥🔥🔥 #HydraPlus",
    "Anyone else seeing this Hydra+ allergen story from France? #HydraPlus",
    "Les labos Durand et le gouvernement cachent tout sur Hydra+, mensonge d'État, réveillez-vous",
    "Maison Durand Immobilier : T3 lumineux à vendre à Chartres",
]
# Said once each, by customers who expect an answer (the response queue's rules pick them up).
QUESTIONS = [
    ("sandrine_m", 820, "@maisondurand j'ai acheté 3 pots de Hydra+ le mois dernier, vous allez me rembourser ?"),
    ("ophelie.k", 1450, "Bonjour @maisondurand, ma fille a eu des boutons avec Hydra+, à qui écrire ? Répondez svp"),
    ("jb_martin", 230, "Remboursement de Hydra+ possible en magasin ? @maisondurand"),
    ("nina.peau", 5400, "@maisondurand répondez : oui ou non, Hydra+ contient-il un allergène non déclaré ?"),
    ("g.lefort", 310, "Je vais porter plainte contre Maison Durand, mon avocat est prévenu. Répondez @maisondurand"),
    ("pharma_des_lilas", 2900, "Pharmacie ici : les clientes demandent si on doit rembourser Hydra+. Une consigne ?"),
    ("tonton_rico", 90, "Hydra+ = poison, répondez @maisondurand bande de menteurs"),
    ("anne.so", 640, "@maisondurand vous allez rembourser Hydra+ ou faire comme si de rien n'était ?"),
]
# Authors with reach: the influencer who carried the video, the media, an expert (a relay of the cell).
LOUD = [
    (
        "beaute_avec_ines",
        "Inès | Beauté",
        342000,
        SPIKE_START - 12,
        "Les filles, STOP Hydra+ 🛑 la vidéo sur l'allergène caché est inquiétante. "
        "J'attends la réponse de Maison Durand.",
    ),
    (
        "lemag_conso",
        "Le Mag Conso",
        1250000,
        45,
        "Allergènes : la crème Hydra+ de Maison Durand dans la tourmente après une vidéo virale. "
        "La marque affirme avoir analysé le lot.",
    ),
    (
        "dr.marchand.derm",
        "Dr Sophie Marchand",
        86000,
        25,
        "Dermatologue : avant de jeter votre Hydra+, attendez les analyses. Une vidéo n'est pas une preuve.",
    ),
]


def _author(rng: random.Random) -> tuple[str, int]:
    reach = int(rng.lognormvariate(6.5, 1.3))
    return rng.choice(HANDLES.split()), min(reach, 60000)


def posts(now) -> dict[str, list[dict]]:
    """The demo's posts by source name, from a fixed seed (the same texts at the same ages each time)."""
    rng = random.Random(SEED)
    social, press = [], []

    def add(rows, minutes_ago, text, handle, reach, name=""):
        number = len(social) + len(press) + 1
        rows.append(
            {
                "external_id": f"demo-{number}",
                "text": text,
                "published_at": now - timedelta(minutes=minutes_ago),
                "author_handle": handle,
                "author_name": name,
                "author_reach": reach,
                "language": "en" if text.startswith("Anyone") else "fr",
                "url": f"https://social.example/@{handle}/{number}",
                "likes": rng.randint(0, 40) + reach // 500,
                "shares": rng.randint(0, 12) + reach // 3000,
                "replies": rng.randint(0, 8),
            }
        )

    # Two quiet days: the brand, its founder, the Black Friday delays, the product's fans.
    for _index in range(70):
        add(social, rng.uniform(SPIKE_START + 10, 47 * 60), rng.choice(BRAND_POSTS), *_author(rng))
    for _index in range(20):
        add(social, rng.uniform(SPIKE_START + 30, 47 * 60), rng.choice(PRODUCT_POSTS), *_author(rng))
    # The video: a ramp, a peak of 15 minutes, then a long tail.
    for _index in range(12):
        add(social, rng.uniform(PEAK_END + 15, SPIKE_START), rng.choice(SPIKE_POSTS), *_author(rng))
    for _index in range(46):
        add(social, rng.uniform(PEAK_END + 0.5, PEAK_END + 14.5), rng.choice(SPIKE_POSTS), *_author(rng))
    for _index in range(62):
        add(social, PEAK_END * rng.random() ** 1.6, rng.choice(SPIKE_POSTS + PRODUCT_POSTS[:3]), *_author(rng))
    for index, text in enumerate(ODD_POSTS):
        add(social, 20 + 25 * index, text, *_author(rng))
    for index, (handle, reach, text) in enumerate(QUESTIONS):
        add(social, 175 - 18 * index, text, handle, reach)
    for handle, name, reach, minutes_ago, text in LOUD:
        add(press if handle == "lemag_conso" else social, minutes_ago, text, handle, reach, name)
    add(press, 30 * 60, "Maison Durand ouvre une deuxième usine près de Chartres", "gazette_eco", 240000, "Gazette éco")
    return {SOCIAL: social, PRESS: press}


def load(demo) -> None:
    cell, admin, manager = demo.cell, demo.users["admin"], demo.users["manager"]
    if Source.objects.filter(cell=cell, name=SOCIAL).exists():
        return
    social = services.source_create(actor=admin, cell=cell, kind=SourceKind.API, name=SOCIAL)
    press = services.source_create(actor=admin, cell=cell, kind=SourceKind.API, name=PRESS)
    services.ingest_token_create(actor=admin, source=social, name="Connecteur de l'agrégateur social")
    brand = services.watchlist_create(
        actor=manager,
        cell=cell,
        name=BRAND,
        terms="Maison Durand\n@maisondurand\n#MaisonDurand\nClaire Durand",
        exclusions="Maison Durand Immobilier",
    )
    product = services.watchlist_create(
        actor=manager, cell=cell, name=PRODUCT, terms="Hydra+\nHydra Plus\n#HydraPlus\ncrème Hydra"
    )
    for watchlist in (brand, product):
        services.watch(actor=demo.users["member"], watchlist=watchlist)

    now = timezone.now()
    peak = now - timedelta(minutes=PEAK_END)
    batches = posts(now)

    def ingest_posts(keep) -> None:
        for source in (social, press):
            records = [ingest.MentionIn(**row) for row in batches[source.name] if keep(row["published_at"])]
            ingest.ingest_records(source, records)

    # What the worker found at the peak: the posts up to then, detection run on the counters
    # as they were (its evidence names no later post), then the rest of the afternoon.
    ingest_posts(lambda at: at <= peak)
    # The influencer who carried the video: above the watchlists' reach threshold.
    loud = list(social.mentions.filter(author_handle="beaute_avec_ines").values_list("pk", flat=True))
    for watchlist in Watchlist.objects.filter(cell=cell).order_by("pk"):
        for alert in detection.evaluate(watchlist, now=peak, loud_mention_ids=loud):
            Alert.objects.filter(pk=alert.pk).update(opened_at=peak)
    ingest_posts(lambda at: at > peak)
    # The volume spike was attached to the rumour's incident: its evidence is in the crisis log.
    spike = Alert.objects.filter(Q(watchlist=product) & Q(cause=AlertCause.VOLUME) & Q(status=AlertStatus.OPEN)).first()
    if spike is not None:
        services.alert_escalate(actor=demo.users["member"], alert=spike, incident=demo.rumour)
    demo.say(
        f"Monitoring: {sum(len(rows) for rows in batches.values())} mentions, "
        f"{Alert.objects.filter(cell=cell).count()} alerts."
    )
