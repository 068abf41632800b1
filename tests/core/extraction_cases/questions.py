"""Questions behind the labeled extraction set (written for this project).

Each question has a stem, options, the letter a model output will commit to in the "correct"
outputs, a short reasoning paragraph in the voice of a reasoning model, and optionally a near-miss
distractor letter (an option whose text is confusable with the answer's).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Item:
    """One question and the raw material for model outputs about it."""

    key: str
    stem: str
    options: list[str]
    answer: str
    reasoning: str
    near_miss: str | None = None
    kind: str = "mcq"
    extra: dict[str, str] = field(default_factory=dict)


MCQ = [
    Item(
        "anemia",
        "A 62-year-old woman has fatigue, glossitis and numbness in both feet. Hemoglobin is 9.1 g/dL with an MCV "
        "of 112 fL; anti-intrinsic factor antibodies are positive. Which is the most likely diagnosis?",
        ["Folate deficiency", "Iron deficiency anemia", "Pernicious anemia", "Anemia of chronic disease"],
        "C",
        "The anemia is macrocytic (MCV 112 fL), which argues against iron deficiency and anemia of chronic disease. "
        "Neurologic findings point to vitamin B12 rather than folate, and anti-intrinsic factor antibodies show an "
        "autoimmune cause of B12 malabsorption.",
    ),
    Item(
        "af",
        "A 70-year-old man with non-valvular atrial fibrillation, hypertension and diabetes has a CHA2DS2-VASc score of 4. "
        "Which drug best prevents stroke in the long term?",
        ["Aspirin", "Unfractionated heparin", "Warfarin", "Clopidogrel"],
        "C",
        "With a CHA2DS2-VASc score of 4 he needs oral anticoagulation. Antiplatelet drugs such as aspirin or "
        "clopidogrel are inferior for stroke prevention in AF, and unfractionated heparin is only a short-term "
        "parenteral option.",
    ),
    Item(
        "dm",
        "A 12-year-old boy has polyuria, weight loss and a glucose of 420 mg/dL with ketonuria; GAD65 antibodies are "
        "positive. What is the diagnosis?",
        [
            "Type 2 diabetes mellitus",
            "Type 1 diabetes mellitus",
            "Maturity-onset diabetes of the young",
            "Diabetes insipidus",
        ],
        "B",
        "A child with weight loss, ketosis and GAD65 autoantibodies has autoimmune destruction of beta cells. "
        "MODY is not autoimmune and rarely ketotic, and diabetes insipidus does not raise glucose.",
        near_miss="A",
    ),
    Item(
        "mi",
        "A 58-year-old man has crushing chest pain for 40 minutes and ST elevation in leads II, III and aVF. "
        "Which coronary artery is most likely occluded?",
        [
            "Left anterior descending artery",
            "Left circumflex artery",
            "Right coronary artery",
            "Left main coronary artery",
        ],
        "C",
        "ST elevation in II, III and aVF localizes to the inferior wall, which in most people is supplied by the right "
        "coronary artery. The LAD supplies the anterior wall and the circumflex the lateral wall.",
        near_miss="D",
    ),
    Item(
        "pe",
        "A 34-year-old woman on oral contraceptives has sudden dyspnea, pleuritic chest pain and tachycardia. "
        "She is hemodynamically stable and not pregnant. What is the best next step to confirm the diagnosis?",
        ["D-dimer alone", "CT pulmonary angiography", "Ventilation-perfusion scan", "Chest X-ray"],
        "B",
        "Pretest probability of pulmonary embolism is high, so a D-dimer cannot exclude it. In a stable patient with "
        "normal renal function, CT pulmonary angiography is the test of choice; a chest X-ray is nonspecific.",
    ),
    Item(
        "thyroid",
        "A 29-year-old woman has weight loss, tremor, exophthalmos and a diffusely enlarged non-tender thyroid. "
        "TSH is suppressed. What is the most likely cause?",
        ["Toxic multinodular goiter", "Graves disease", "Subacute thyroiditis", "Hashimoto thyroiditis"],
        "B",
        "Exophthalmos is specific for Graves disease, caused by TSH-receptor antibodies. Subacute thyroiditis is "
        "painful, a multinodular goiter is nodular, and Hashimoto usually causes hypothyroidism.",
    ),
    Item(
        "meningitis",
        "A 19-year-old college student has fever, neck stiffness and a petechial rash. CSF shows neutrophils and "
        "gram-negative diplococci. Which organism is responsible?",
        ["Streptococcus pneumoniae", "Neisseria meningitidis", "Haemophilus influenzae", "Listeria monocytogenes"],
        "B",
        "Gram-negative diplococci with a petechial rash in a young adult living in a dormitory is classic for "
        "meningococcus. S. pneumoniae is a gram-positive diplococcus and Listeria a gram-positive rod.",
    ),
    Item(
        "hyperk",
        "A patient on dialysis has a potassium of 7.2 mmol/L with peaked T waves and a widened QRS. "
        "What should be given first?",
        [
            "Intravenous calcium gluconate",
            "Sodium polystyrene sulfonate",
            "Intravenous insulin with glucose",
            "Furosemide",
        ],
        "A",
        "ECG changes mean the myocardium is at risk, so membrane stabilization comes first. Insulin with glucose "
        "shifts potassium into cells and binders remove it, but both act later.",
    ),
    Item(
        "asthma",
        "A 24-year-old with asthma uses albuterol four times a week and wakes at night twice a month. "
        "What is the preferred controller therapy?",
        ["Oral prednisone", "Low-dose inhaled corticosteroid", "Montelukast", "Long-acting beta agonist alone"],
        "B",
        "Symptoms more than twice a week mean persistent asthma, and a low-dose inhaled corticosteroid is the "
        "preferred controller. A long-acting beta agonist must never be used alone.",
        near_miss="A",
    ),
    Item(
        "gout",
        "A 55-year-old man has sudden pain and swelling of the first metatarsophalangeal joint. Aspiration shows "
        "needle-shaped, negatively birefringent crystals. What is the diagnosis?",
        ["Pseudogout", "Septic arthritis", "Gout", "Reactive arthritis"],
        "C",
        "Needle-shaped negatively birefringent crystals are monosodium urate. Pseudogout crystals are rhomboid and "
        "positively birefringent.",
        near_miss="A",
    ),
    Item(
        "preeclampsia",
        "A 31-year-old at 34 weeks of gestation has a blood pressure of 168/112 mmHg, proteinuria and a headache. "
        "Which drug prevents seizures?",
        ["Labetalol", "Magnesium sulfate", "Phenytoin", "Diazepam"],
        "B",
        "This is preeclampsia with severe features. Labetalol lowers the blood pressure but magnesium sulfate is the "
        "drug proven to prevent eclamptic seizures; phenytoin is inferior.",
    ),
    Item(
        "dka",
        "A 22-year-old with type 1 diabetes has vomiting, Kussmaul breathing, glucose 510 mg/dL and pH 7.08. "
        "After starting fluids, what is the next step?",
        [
            "Intravenous sodium bicarbonate",
            "Subcutaneous insulin glargine",
            "Intravenous regular insulin infusion",
            "Oral metformin",
        ],
        "C",
        "Diabetic ketoacidosis is treated with fluids and an intravenous regular insulin infusion once potassium "
        "is above 3.3. Bicarbonate is reserved for pH below 6.9, and long-acting insulin alone is too slow.",
    ),
    Item(
        "appendicitis",
        "A 16-year-old has periumbilical pain that moved to the right lower quadrant, fever and rebound tenderness. "
        "What is the most likely diagnosis?",
        ["Acute appendicitis", "Mesenteric adenitis", "Meckel diverticulitis", "Ovarian torsion"],
        "A",
        "Migration of pain from the periumbilical region to McBurney's point with peritoneal signs is the classic "
        "course of appendicitis.",
    ),
    Item(
        "hepb",
        "A patient's serology shows HBsAg negative, anti-HBs positive and anti-HBc negative. What does this mean?",
        [
            "Acute hepatitis B infection",
            "Immunity from vaccination",
            "Chronic hepatitis B infection",
            "Immunity from past infection",
        ],
        "B",
        "Anti-HBs alone, without anti-HBc, means the immune response was to the surface antigen only, which is what a "
        "vaccine produces. Past infection would also leave anti-HBc.",
        near_miss="D",
    ),
    Item(
        "stroke",
        "A 66-year-old has right hemiparesis and aphasia that began 90 minutes ago. CT shows no hemorrhage and "
        "glucose is normal. What is the best treatment?",
        [
            "Aspirin and observation",
            "Intravenous alteplase",
            "Intravenous heparin",
            "Emergency carotid endarterectomy",
        ],
        "B",
        "An ischemic stroke within 4.5 hours without hemorrhage on CT qualifies for thrombolysis with alteplase. "
        "Heparin has no role acutely.",
    ),
    Item(
        "lithium",
        "A 40-year-old with bipolar disorder on lithium develops coarse tremor, confusion and diarrhea after starting "
        "a new drug for hypertension. Which drug most likely caused this?",
        ["Amlodipine", "Hydrochlorothiazide", "Metoprolol", "Hydralazine"],
        "B",
        "These are signs of lithium toxicity. Thiazide diuretics reduce lithium clearance in the proximal tubule; "
        "amlodipine, metoprolol and hydralazine do not raise lithium levels.",
    ),
    Item(
        "ckd",
        "A patient with chronic kidney disease has a low calcium, high phosphate and a high PTH. What is the disorder?",
        [
            "Primary hyperparathyroidism",
            "Secondary hyperparathyroidism",
            "Tertiary hyperparathyroidism",
            "Hypoparathyroidism",
        ],
        "B",
        "Phosphate retention and reduced calcitriol in CKD lower calcium and drive PTH up: the parathyroid response "
        "is appropriate, so the disorder is secondary. Primary disease raises calcium.",
        near_miss="C",
    ),
    Item(
        "tb",
        "A patient starting isoniazid for latent tuberculosis should also receive which vitamin?",
        ["Vitamin B1", "Vitamin B6", "Vitamin B12", "Vitamin C"],
        "B",
        "Isoniazid competes with pyridoxal phosphate and can cause peripheral neuropathy, prevented by pyridoxine, "
        "which is vitamin B6.",
        near_miss="C",
    ),
    Item(
        "peds",
        "A 2-year-old has a barking cough, inspiratory stridor and a steeple sign on the neck X-ray. What is the cause?",
        ["Epiglottitis", "Croup", "Bacterial tracheitis", "Foreign body aspiration"],
        "B",
        "Barking cough with stridor and subglottic narrowing (steeple sign) is laryngotracheobronchitis, usually from "
        "parainfluenza virus. Epiglottitis shows a thumb sign.",
    ),
    Item(
        "addison",
        "A 45-year-old has fatigue, hyperpigmentation, hypotension, hyponatremia and hyperkalemia. What is the cause?",
        ["Secondary adrenal insufficiency", "Primary adrenal insufficiency", "Cushing syndrome", "Pheochromocytoma"],
        "B",
        "Hyperpigmentation from high ACTH and hyperkalemia from aldosterone loss place the lesion in the adrenal "
        "gland itself. Secondary insufficiency spares aldosterone and causes no pigmentation.",
        near_miss="A",
    ),
]

PUBMEDQA = [
    Item(
        "pq_statin",
        "Do statins reduce the risk of sepsis-related mortality in hospitalized patients?",
        ["yes", "no", "maybe"],
        "C",
        "The cohort found lower mortality among statin users, but the association weakened after adjusting for "
        "frailty, and the confidence interval crossed one.",
        kind="pubmedqa",
        extra={"word": "maybe"},
    ),
    Item(
        "pq_exercise",
        "Does supervised exercise training improve walking distance in patients with peripheral artery disease?",
        ["yes", "no", "maybe"],
        "A",
        "The randomized trial showed a mean improvement of 180 meters in the six-minute walk test over control, "
        "with a significant p-value and consistent subgroup results.",
        kind="pubmedqa",
        extra={"word": "yes"},
    ),
    Item(
        "pq_vitd",
        "Does vitamin D supplementation prevent fractures in community-dwelling older adults?",
        ["yes", "no", "maybe"],
        "B",
        "Across 12,000 participants, fracture rates were similar in the supplemented and placebo groups, with a "
        "hazard ratio of 0.98 and no subgroup benefit.",
        kind="pubmedqa",
        extra={"word": "no"},
    ),
    Item(
        "pq_mask",
        "Is preoperative carbohydrate loading associated with shorter hospital stay after colorectal surgery?",
        ["yes", "no", "maybe"],
        "A",
        "Patients who received carbohydrate loading were discharged a median of 1.2 days earlier, and the difference "
        "remained significant in the adjusted model.",
        kind="pubmedqa",
        extra={"word": "yes"},
    ),
    Item(
        "pq_app",
        "Does a smartphone reminder app improve adherence to inhaled corticosteroids in adolescents?",
        ["yes", "no", "maybe"],
        "B",
        "Adherence measured by dose counters was 54% with the app and 52% without it, a difference that was "
        "neither statistically nor clinically significant.",
        kind="pubmedqa",
        extra={"word": "no"},
    ),
    Item(
        "pq_sleep",
        "Is short sleep duration a risk factor for gestational diabetes?",
        ["yes", "no", "maybe"],
        "C",
        "Short sleepers had a higher crude incidence, but the study was small, sleep was self-reported and the "
        "adjusted estimate was imprecise.",
        kind="pubmedqa",
        extra={"word": "maybe"},
    ),
]

MMLU_PRO = [
    Item(
        "mp_acid",
        "Which of the following enzymes is deficient in classic phenylketonuria?",
        [
            "Tyrosinase",
            "Phenylalanine hydroxylase",
            "Homogentisate oxidase",
            "Branched-chain ketoacid dehydrogenase",
            "Dihydropteridine reductase",
            "Fumarylacetoacetate hydrolase",
            "Cystathionine synthase",
            "Ornithine transcarbamylase",
            "Tyrosine hydroxylase",
            "Glucose-6-phosphatase",
        ],
        "B",
        "Classic PKU is a deficiency of phenylalanine hydroxylase; dihydropteridine reductase deficiency causes the "
        "malignant, BH4-related form, and tyrosinase deficiency causes albinism.",
        near_miss="I",
    ),
    Item(
        "mp_nerve",
        "Injury to which nerve causes winging of the scapula?",
        [
            "Axillary nerve",
            "Suprascapular nerve",
            "Thoracodorsal nerve",
            "Dorsal scapular nerve",
            "Musculocutaneous nerve",
            "Radial nerve",
            "Accessory nerve",
            "Median nerve",
            "Long thoracic nerve",
            "Ulnar nerve",
        ],
        "I",
        "Medial winging of the scapula comes from serratus anterior palsy, which is supplied by the long thoracic "
        "nerve; accessory nerve injury causes a milder lateral winging from trapezius weakness.",
    ),
    Item(
        "mp_drug",
        "Which antihypertensive is contraindicated in pregnancy?",
        [
            "Labetalol",
            "Nifedipine",
            "Methyldopa",
            "Hydralazine",
            "Magnesium sulfate",
            "Lisinopril",
            "Metoprolol",
            "Amlodipine",
            "Clonidine",
            "Prazosin",
        ],
        "F",
        "ACE inhibitors such as lisinopril are teratogenic, causing renal dysgenesis and oligohydramnios. Labetalol, "
        "nifedipine and methyldopa are first-line in pregnancy.",
    ),
    Item(
        "mp_vit",
        "Deficiency of which vitamin causes Wernicke encephalopathy?",
        [
            "Vitamin A",
            "Vitamin B1",
            "Vitamin B2",
            "Vitamin B3",
            "Vitamin B6",
            "Vitamin B9",
            "Vitamin B12",
            "Vitamin C",
            "Vitamin D",
            "Vitamin K",
        ],
        "B",
        "Wernicke encephalopathy, with confusion, ophthalmoplegia and ataxia, is caused by thiamine deficiency, and "
        "thiamine is vitamin B1.",
        near_miss="G",
    ),
]
