"""The report's fixed Danish prose: data basis, methods, caveats.

Kept apart from the code that computes, so an evaluator can read and correct the wording in
one place.
"""

from __future__ import annotations

__all__ = ["SYNTHETIC_BANNER", "MOVING_CAVEAT", "methods_html", "STATUS_EXPLANATION", "HONEST_EXPLANATION", "HONEST_RM_EXPLANATION",
           "SYNTHDID_EXPLANATION", "SYNTHDID_REPLICATIONS"]

SYNTHETIC_BANNER = (
    "Tallene for årene efter de offentliggjorte (og effektestimatet) er "
    "beregnet på syntetiske registerdata fra en seedet generator med en kendt effekt. De "
    "viser, hvordan rapporten læses, ikke hvordan det faktisk er gået i boligområdet."
)

MOVING_CAVEAT = (
    "En ændring på områdeniveau blander indsatsens effekt med ændringer i, hvem "
    "der bor i området. Når beboere flytter ind og ud, ændres områdets tal, også uden at "
    "nogen beboer har ændret sig. Et effektestimat på områdeniveau siger derfor, "
    "om området har udviklet sig anderledes end sammenligningsområderne, ikke alene om "
    "indsatsen har virket for dem, der boede der. En analyse af et fast beboerpanel "
    "(kohorte) kan skille de to ting ad."
)

STATUS_EXPLANATION = (
    "<b>opfyldt</b>: målet er nået i målåret (eller tidligere og fastholdt); "
    "<b>på rette vej</b>: den observerede værdi ligger på eller bedre end den lineære sti fra "
    "baseline til mål; <b>ikke på rette vej</b>: værdien ligger dårligere end stien; "
    "<b>ikke opfyldt</b>: målåret er nået uden at målet er nået; <b>mangler data</b>: der er "
    "ingen måling for året. Kolonnen <i>Statistisk sikker ændring</i> siger, om ændringen "
    "fra baseline kan skelnes fra tilfældig variation (95 %-interval for forskellen udelukker 0)."
)


def methods_html(threshold: int, sources: list[str] | None = None) -> str:
    """The data-and-methods section; ``sources`` are the focus areas' source texts
    (``texts.sources`` of ``domain/focus_areas/*.yaml``), the crime delaftale's by default."""
    import html as _html

    kilder = " ".join(_html.escape(s) for s in sources) if sources else _CRIME_SOURCES
    return f"""
<p><b>Tælleceller.</b> Alle tal beregnes fra tælleceller: antal (tæller) og befolkning
(nævner) pr. område, år, aldersgruppe og køn. En rate eller andel for et område er summen af
tællerne divideret med summen af nævnerne for områdets celler; den er aldrig et gennemsnit af
rater. Helhedsplansområdet er summen af dets boligafdelinger.</p>
<p><b>Usikkerhed.</b> Andele får eksakte Clopper-Pearson-intervaller (og Wilson-intervaller);
rater og antal får eksakte Poisson-intervaller (Garwood). Ændringen fra baseline vurderes
med et interval for forskellen (Newcombe) og for forholdet; en ændring kaldes statistisk
sikker, når 95 %-intervallet for forskellen ikke indeholder 0. Hvor et offentliggjort tal
kun er trykt som andel og antal (4,2 %, 24 personer), udledes nævneren af de to og
markeres som udledt.</p>
<p><b>Flerårige gennemsnit.</b> Den offentliggjorte konvention er gennemsnittet af de årlige
værdier; rapporten viser det og den samlede rate (sum af tællere over sum af nævnere) og
siger hvilken. Hvor et trykt gennemsnit afviger fra det, der kan beregnes af de trykte
årstal, vises begge, og afvigelsen markeres.</p>
<p><b>Effektestimat.</b> Difference-in-differences på boligafdelingsniveau: helhedsplanens
afdelinger sammenlignes med afdelinger uden plan før og efter planstart (to-vejs faste
effekter for afdeling og år, vægtet med udfaldets befolkning). Med få behandlede afdelinger er
almindelige klyngerobuste standardfejl for små; rapporten bruger CR2 (Bell-McCaffrey) med
Satterthwaite-frihedsgrader og viser et event study med førperiode-test for parallelle
tendenser.</p>
<p><b>Diskretionering.</b> Ingen tabel, figur eller datafil i rapporten viser et antal under
{threshold} eller en andel beregnet af et sådant antal; hvor et tal er undertrykt, står
årsagen (fx "&lt; {threshold}" eller "diskretioneret") i stedet for tallet. Sekundær
undertrykkelse sikrer, at et undertrykt tal ikke kan regnes ud fra totaler.</p>
<p><b>Kilder.</b> {kilder}</p>
"""


_CRIME_SOURCES = """BL-tal 2016, Danmarks Statistik (sigtelser, sigtede og afgørelser pr. 1.000
personer på 15 år og derover); Landsbyggefonden, Boligsociale Data, indikator 6 (andel af
10-17-årige sigtet mindst én gang); SSP-sekretariatets log; helhedsplanernes aktivitetslogs.
"Sigtet" for 10-17-årige omfatter mistænkte: børn på 10-14 år kan ikke sigtes og
registreres som mistænkte."""

#: the effect section's explanation of the sensitivity analysis (Rambachan & Roth 2023)
HONEST_EXPLANATION = (
    "Difference-in-differences bygger på, at helhedsplanens afdelinger og "
    "sammenligningsafdelingerne ville have fulgt samme udvikling uden planen (parallelle "
    "tendenser). Følsomhedsanalysen spørger, hvor meget den antagelse må være brudt, før "
    "konklusionen ændres: M er den største ændring fra år til år i forskellen mellem de to "
    "gruppers tendens (i procentpoint), som vi tillader efter planstart. Nedbrudsværdien er det "
    "største M, hvor intervallet stadig udelukker 0. En lille nedbrudsværdi (i forhold til "
    "effektens størrelse) betyder, at selv et lille brud på de parallelle tendenser kan forklare "
    "forskellen; en stor nedbrudsværdi betyder, at konklusionen er robust."
)

#: one line on the relative-magnitudes bound (Rambachan & Roth 2023, Delta^RM(Mbar))
HONEST_RM_EXPLANATION = (
    "Relative størrelser: Mbar sammenligner bruddet efter planstart med det største brud mellem "
    "to år før planstart (Mbar = 1: højst lige så stort); nedbrudsværdien Mbar er, hvor mange "
    "gange det største førperiode-brud bruddet efter start må være, før intervallet omfatter 0."
)

#: the effect section's explanation of synthetic difference-in-differences
SYNTHDID_EXPLANATION = (
    "Syntetisk difference-in-differences (Arkhangelsky m.fl. 2021) vægter "
    "sammenligningsafdelingerne, så deres vægtede udvikling før planstart følger "
    "helhedsplanens afdelinger, og vægter førårene, så de ligner årene efter start. Det passer "
    "til én plan med få afdelinger. Intervallet kommer fra placeboforsøg: skiftevis lader "
    "sammenligningsafdelinger som om de fik planen, og spredningen af deres skønnede "
    "'effekter' viser, hvor stor en forskel tilfældigheder kan give."
)

#: placebo replications of the report's synthetic DiD interval
SYNTHDID_REPLICATIONS = 200
