"""The texts of the services and opening hours page (fi, sv, en); the shared ones are in ``manage_strings``."""

from __future__ import annotations

from ..domain.hours import WEEKDAYS

_MONTHS = {
    "fi": ("tammikuu", "helmikuu", "maaliskuu", "huhtikuu", "toukokuu", "kesäkuu", "heinäkuu", "elokuu",
           "syyskuu", "lokakuu", "marraskuu", "joulukuu"),
    "sv": ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
           "november", "december"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}
_DAYS = {
    "fi": ("maanantai", "tiistai", "keskiviikko", "torstai", "perjantai", "lauantai", "sunnuntai"),
    "sv": ("måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_SHORT_DAYS = {
    "fi": ("ma", "ti", "ke", "to", "pe", "la", "su"),
    "sv": ("mån", "tis", "ons", "tors", "fre", "lör", "sön"),
    "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"),
}

SERVICES_STRINGS: dict[str, dict[str, str]] = {
    "services.now": {"fi": "Palvelut nyt", "sv": "Tjänsterna nu", "en": "The services now"},
    "services.actions": {"fi": "Toiminnot", "sv": "Åtgärder", "en": "Actions"},
    "services.opens_at": {"fi": "avautuu {time}", "sv": "öppnar {time}", "en": "opens {time}"},
    "services.close_now": {"fi": "Sulje tältä päivältä", "sv": "Stäng för i dag", "en": "Close for today"},
    "services.reopen": {"fi": "Avaa uudelleen tänään", "sv": "Öppna igen i dag", "en": "Reopen today"},
    "services.edit": {"fi": "Muokkaa", "sv": "Redigera", "en": "Edit"},
    "services.edit_title": {"fi": "Muokkaa palvelua: {name}", "sv": "Redigera tjänsten: {name}",
                            "en": "Edit the service: {name}"},
    "services.edit_done": {"fi": "Sulje muokkaus", "sv": "Stäng redigeringen", "en": "Close the editor"},
    "services.details": {"fi": "Nimet, tunnus ja ajat", "sv": "Namn, prefix och tider",
                         "en": "Names, prefix and times"},
    "services.location": {"fi": "Sijainti", "sv": "Plats", "en": "Location"},
    "services.key": {"fi": "Tunniste (pienet kirjaimet ja numerot, esim. passit)",
                     "sv": "Nyckel (små bokstäver och siffror, t.ex. pass)",
                     "en": "Key (small letters and digits, e.g. passports)"},
    "services.prefix": {"fi": "Vuoronumeron kirjaimet (1–3 isoa kirjainta, esim. K)",
                        "sv": "Könumrets bokstäver (1–3 versaler, t.ex. K)",
                        "en": "Ticket letters (1–3 capital letters, e.g. K)"},
    "services.sensitive": {"fi": "Arkaluonteinen: ei koskaan näytöillä, jakaa kirjaimet toisen palvelun kanssa",
                           "sv": "Känslig: visas aldrig på skärmarna, delar bokstäver med en annan tjänst",
                           "en": "Sensitive: never on the boards, shares its letters with another service"},
    "services.service_time": {"fi": "Palveluaika keskimäärin (minuuttia)",
                              "sv": "Genomsnittlig betjäningstid (minuter)",
                              "en": "Average service time (minutes)"},
    "services.target_wait": {"fi": "Tavoiteltu odotusaika enintään (minuuttia)",
                             "sv": "Eftersträvad längsta väntetid (minuter)",
                             "en": "Target wait at most (minutes)"},
    "services.daily_limit": {"fi": "Vuoronumeroita enintään päivässä (tyhjä: ei rajaa)",
                             "sv": "Högst antal könummer per dag (tomt: ingen gräns)",
                             "en": "Tickets a day at most (empty: no limit)"},
    "services.save": {"fi": "Tallenna", "sv": "Spara", "en": "Save"},
    "services.weekly": {"fi": "Viikoittaiset aukioloajat", "sv": "Öppettider per vecka",
                        "en": "Weekly opening hours"},
    "services.weekly_hint": {"fi": "Esim. 08:00-16:00 tai 08:00-12:00, 13:00-16:00. Tyhjä: suljettu sinä "
                                   "viikonpäivänä.",
                             "sv": "T.ex. 08:00-16:00 eller 08:00-12:00, 13:00-16:00. Tomt: stängt den "
                                   "veckodagen.",
                             "en": "E.g. 08:00-16:00 or 08:00-12:00, 13:00-16:00. Empty: closed that weekday."},
    "services.always_open": {"fi": "Aina auki (ei viikoittaisia aukioloaikoja)",
                             "sv": "Alltid öppen (inga öppettider per vecka)",
                             "en": "Always open (no weekly hours)"},
    "services.save_hours": {"fi": "Tallenna aukioloajat", "sv": "Spara öppettiderna", "en": "Save the hours"},
    "services.retire": {"fi": "Poista palvelu käytöstä", "sv": "Ta tjänsten ur bruk", "en": "Retire the service"},
    "services.retire_hint": {"fi": "Palvelua ei voi poistaa, kun sillä on tänään odottavia tai palveltavia "
                                   "asiakkaita tai kun jokin palvelupiste palvelee sitä. Sulje se silloin tältä "
                                   "päivältä.",
                             "sv": "Tjänsten kan inte tas ur bruk medan den i dag har kunder som väntar eller "
                                   "betjänas, eller medan en disk betjänar den. Stäng den då för i dag.",
                             "en": "A service cannot be retired while it has visitors waiting or being served "
                                   "today, or while a desk serves it: close it for today instead."},
    "services.retire_confirm": {"fi": "Kyllä, poista {name} käytöstä", "sv": "Ja, ta {name} ur bruk",
                                "en": "Yes, retire {name}"},
    "services.add": {"fi": "Lisää palvelu", "sv": "Lägg till en tjänst", "en": "Add a service"},
    "services.add_hint": {"fi": "Uusi palvelu on aina auki, kunnes annat sille aukioloajat.",
                          "sv": "En ny tjänst är alltid öppen tills du ger den öppettider.",
                          "en": "A new service is always open until you give it opening hours."},
    "services.calendar": {"fi": "Poikkeukset kalenterissa", "sv": "Undantag i kalendern",
                          "en": "Exceptions in the calendar"},
    "services.months": {"fi": "Kuukaudet", "sv": "Månader", "en": "Months"},
    "services.prev_month": {"fi": "Edellinen kuukausi", "sv": "Föregående månad", "en": "Previous month"},
    "services.this_month": {"fi": "Tämä kuukausi", "sv": "Den här månaden", "en": "This month"},
    "services.next_month": {"fi": "Seuraava kuukausi", "sv": "Nästa månad", "en": "Next month"},
    "services.centre": {"fi": "Koko keskus", "sv": "Hela centret", "en": "The whole centre"},
    "services.scope": {"fi": "Koskee", "sv": "Gäller", "en": "Applies to"},
    "services.holiday": {"fi": "suljettu (pyhäpäivä)", "sv": "stängt (helgdag)", "en": "closed (public holiday)"},
    "services.remove_mark": {"fi": "Poista poikkeus: {who}, {day}", "sv": "Ta bort undantaget: {who}, {day}",
                             "en": "Remove the exception: {who}, {day}"},
    "services.exception_hint": {"fi": "Ilman aukioloaikaa päivä on suljettu.",
                                "sv": "Utan öppettid är dagen stängd.",
                                "en": "Without hours the day is closed."},
    "services.legend": {"fi": "Koko keskuksen poikkeukset koskevat kaikkia palveluja; palvelun oma poikkeus "
                              "samalle päivälle voittaa.",
                        "sv": "Hela centrets undantag gäller alla tjänster; en tjänsts eget undantag för samma "
                              "dag går före.",
                        "en": "The whole centre's exceptions apply to every service; a service's own exception "
                              "for the same date wins."},
    **{f"services.month.{i}": {lang: names[i - 1] for lang, names in _MONTHS.items()} for i in range(1, 13)},
    **{f"services.day.{d}": {lang: names[i] for lang, names in _DAYS.items()} for i, d in enumerate(WEEKDAYS)},
    **{f"services.wd.{d}": {lang: names[i] for lang, names in _SHORT_DAYS.items()}
       for i, d in enumerate(WEEKDAYS)},
}
