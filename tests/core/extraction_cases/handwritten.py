"""Hand-written hard cases, one by one (written before the extractor was run on them).

Run ``python tests/core/extraction_cases/handwritten.py`` to rewrite ``handwritten.jsonl``.
"""

from __future__ import annotations

import json
from pathlib import Path

PATH = Path(__file__).resolve().parent / "handwritten.jsonl"

AF = ["Aspirin", "Unfractionated heparin", "Warfarin", "Clopidogrel"]
DM = [
    "Type 2 diabetes mellitus",
    "Type 1 diabetes mellitus",
    "Maturity-onset diabetes of the young",
    "Diabetes insipidus",
]
ANEMIA = ["Folate deficiency", "Iron deficiency anemia", "Pernicious anemia", "Anemia of chronic disease"]
YNM = ["yes", "no", "maybe"]
VIT = [
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
]
NUM = ["2 mg", "4 mg", "8 mg", "16 mg"]
MENING = ["Streptococcus pneumoniae", "Neisseria meningitidis", "Haemophilus influenzae", "Listeria monocytogenes"]

CASES: list[tuple[str, str, list[str], str | None, str]] = [
    # (category, subcategory, options, gold, output)
    (
        "final_marker",
        "alphamed",
        AF,
        "C",
        "Okay, so I need to figure out the best long-term drug. The patient has AF with a CHA2DS2-VASc of 4. Aspirin is "
        "not enough. Heparin is IV only. Clopidogrel is an antiplatelet. So warfarin, an oral anticoagulant, makes sense."
        "\n\nThe final answer is: $\\boxed{C}$",
    ),
    (
        "final_marker",
        "alphamed",
        AF,
        "C",
        "Let me recall the guidelines... Option A (aspirin) used to be given, but it's inferior. Option D is similar. "
        "Option B requires infusion. Hmm, what about C? Yes, warfarin is an oral anticoagulant.\n\n"
        "The final answer is: $\\boxed{C}$.",
    ),
    (
        "final_marker",
        "boxed_text",
        ANEMIA,
        "C",
        "Macrocytosis plus antibodies.\n\n$$\\boxed{\\text{C. Pernicious anemia}}$$",
    ),
    ("final_marker", "boxed_spaces", ANEMIA, "C", "... therefore $\\boxed{ C }$"),
    ("final_marker", "tag_newlines", AF, "C", "<think>\nAF, stroke risk high.\n</think>\n\n<answer>\nC\n</answer>"),
    (
        "final_marker",
        "answer_is_colon",
        DM,
        "B",
        "GAD65 positive, ketotic child. The answer is: B) Type 1 diabetes mellitus",
    ),
    (
        "final_marker",
        "bold_option",
        DM,
        "B",
        "Ketosis and autoantibodies mean autoimmune diabetes.\n\n**Answer: (B) Type 1 diabetes mellitus**",
    ),
    ("final_marker", "correct_answer_colon", ANEMIA, "C", "Correct answer: C"),
    ("final_marker", "best_answer", AF, "C", "The single best answer here is C, warfarin."),
    ("final_marker", "final_answer_letter_dot", AF, "D", "Reasoning aside, final answer: D."),
    ("final_marker", "choice_letter", VIT, "B", "Thiamine is vitamin B1. Correct choice: (B)"),
    ("final_marker", "answer_option_word", AF, "C", "So the answer is option C."),
    ("final_marker", "tag_with_text", ANEMIA, "C", "<answer>Pernicious anemia</answer>"),
    ("final_marker", "lowercase_paren", AF, "C", "the answer is (c)"),
    ("final_marker", "boxed_lower", AF, "B", "$\\boxed{b}$"),
    # revisions and traps
    (
        "trap",
        "revised_boxed",
        AF,
        "C",
        "At first I'd pick $\\boxed{A}$, but aspirin is inferior to anticoagulation in AF.\n\nThe final answer is: $\\boxed{C}$",
    ),
    (
        "trap",
        "wait",
        DM,
        "B",
        "The answer is A. Wait, no. GAD65 antibodies indicate autoimmunity, so the answer is B.",
    ),
    (
        "trap",
        "option_discussion_after_answer",
        AF,
        "C",
        "The final answer is: $\\boxed{C}$\n\nWhy not the others? Option A is weaker, option B is parenteral and option D is an antiplatelet.",
    ),
    (
        "trap",
        "explanation_of_wrong",
        ANEMIA,
        "C",
        "Answer: C\n\nA is wrong because folate deficiency lacks neurologic signs. B is wrong because the MCV is high. "
        "D is wrong because anemia of chronic disease is normocytic.",
    ),
    (
        "trap",
        "article_a_start",
        AF,
        "C",
        "A 70-year-old with AF needs anticoagulation. Aspirin is inadequate. Answer: C",
    ),
    (
        "trap",
        "a_in_sentence",
        ANEMIA,
        "C",
        "This is a classic case. A deficiency of intrinsic factor causes it. The answer is C.",
    ),
    (
        "trap",
        "vitamin_b12_words",
        VIT,
        "B",
        "Vitamin B12 deficiency causes subacute combined degeneration, not Wernicke. The answer is B.",
    ),
    ("trap", "not_a_but", AF, "C", "It is not A but C."),
    ("trap", "is_not_correct", AF, "C", "Option A is not correct. Option C is correct."),
    (
        "trap",
        "incorrect_word",
        AF,
        "C",
        "Option D is incorrect, option A is incorrect, and option C is the correct answer.",
    ),
    ("trap", "numeric_options", NUM, "C", "The loading dose is 8 mg, so the answer is 8 mg."),
    ("trap", "numeric_boxed", NUM, "B", "Half of 8 mg is 4 mg. \\boxed{4 mg}"),
    (
        "trap",
        "stem_with_which",
        AF,
        "C",
        "Which drug best prevents stroke in the long term? A. Aspirin B. Unfractionated heparin C. Warfarin D. Clopidogrel\n"
        "Anticoagulation is needed: the answer is C.",
    ),
    (
        "trap",
        "list_then_bare",
        AF,
        "C",
        "A. Aspirin - inferior\nB. Unfractionated heparin - short term only\nC. Warfarin - correct\nD. Clopidogrel - inferior\n\nC",
    ),
    ("trap", "option_c_vs_paren", MENING, "B", "Option (B) Neisseria meningitidis is the organism. I choose (B)."),
    (
        "trap",
        "answer_in_middle_then_summary",
        MENING,
        "B",
        "The answer is B.\n\nSummary: gram-negative diplococci and petechiae in a dorm resident.",
    ),
    (
        "trap",
        "near_miss_substring",
        DM,
        "A",
        "Obesity, acanthosis nigricans, no ketones, negative antibodies: type 2 diabetes mellitus is the most likely diagnosis.",
    ),
    (
        "trap",
        "near_miss_mody",
        DM,
        "C",
        "Three generations affected, lean, antibody negative: most likely maturity-onset diabetes of the young.",
    ),
    ("trap", "anemia_vs_pernicious", ANEMIA, "C", "Therefore the diagnosis is pernicious anemia."),
    (
        "trap",
        "iron_vs_anemia",
        ANEMIA,
        "B",
        "Microcytic, low ferritin: the most likely diagnosis is iron deficiency anemia.",
    ),
    (
        "trap",
        "vitamin_near_miss",
        VIT,
        "G",
        "Subacute combined degeneration means the deficient vitamin is Vitamin B12.",
    ),
    ("trap", "mmlu_letter_i", VIT, "I", "Rickets in a dark-skinned infant points to vitamin D. The answer is (I)."),
    ("trap", "mmlu_answer_i_think", VIT, "B", "Answer: I think it is thiamine, so B."),
    # PubMedQA
    ("pubmedqa", "yes_start", YNM, "A", "Yes, the trial demonstrates a clear improvement in walking distance."),
    ("pubmedqa", "no_start", YNM, "B", "No. Fracture rates did not differ between the groups."),
    ("pubmedqa", "maybe_word", YNM, "C", "The evidence is inconsistent; the answer is maybe."),
    (
        "pubmedqa",
        "no_after_hedge_words",
        YNM,
        "B",
        "Although some subgroups seemed to benefit, the overall effect was null. Final answer: no.",
    ),
    ("pubmedqa", "boxed_yes", YNM, "A", "Significant benefit in the adjusted model. $\\boxed{\\text{yes}}$"),
    ("pubmedqa", "decision_colon", YNM, "B", "Decision: no"),
    ("pubmedqa", "bold", YNM, "A", "**Answer: Yes**"),
    # formatting noise
    ("formatting", "cyrillic_b", AF, "B", "Ответ: В"),
    ("formatting", "cyrillic_boxed", AF, "C", "The final answer is: $\\boxed{С}$"),
    ("formatting", "full_width_paren", AF, "C", "答案为（Ｃ）"),
    ("formatting", "japanese", AF, "C", "したがって、正解は C です。"),
    ("formatting", "portuguese", AF, "C", "Resposta: C"),
    ("formatting", "italian", AF, "C", "La risposta corretta è C."),
    ("formatting", "nbsp", AF, "C", "The answer is\u00a0C."),
    ("formatting", "emphasis", AF, "C", "The answer is __C__."),
    ("formatting", "backticks", AF, "C", "Final answer: `C`"),
    ("formatting", "trailing_junk", AF, "C", "The answer is C.</s>"),
    ("formatting", "latex_inline", AF, "C", "Therefore the answer is \\(\\textbf{C}\\)."),
    # abstain
    ("abstain", "truncated_after_marker_word", AF, None, "Considering all options carefully, the final answer"),
    (
        "abstain",
        "truncated_list",
        AF,
        None,
        "Let's go through the options.\nA. Aspirin - an antiplatelet, inferior for AF\nB. Unfractionated heparin - ",
    ),
    (
        "abstain",
        "refusal_with_letters",
        AF,
        None,
        "I can't choose between A, B, C and D without the patient's renal function.",
    ),
    (
        "abstain",
        "hedge_two_text",
        ANEMIA,
        None,
        "The picture is compatible with either folate deficiency or pernicious anemia.",
    ),
    ("abstain", "hedge_between", AF, None, "It's between B and C. I'm not sure which."),
    ("abstain", "outside_letter_e", AF, None, "Answer: E"),
    ("abstain", "outside_boxed_z", AF, None, "\\boxed{Z}"),
    ("abstain", "none_of_the_above", AF, None, "None of the options is correct."),
    ("abstain", "multiple_answers", AF, None, "The answers are A and C."),
    (
        "abstain",
        "question_repeated",
        AF,
        None,
        "A 70-year-old man with non-valvular atrial fibrillation. Which drug best prevents stroke?\nA. Aspirin\nB. Unfractionated heparin\nC. Warfarin\nD. Clopidogrel",
    ),
    ("abstain", "gibberish_letters", AF, None, "B C D A B C D A"),
    ("abstain", "chat_tokens", AF, None, "<|im_start|>assistant\n<|im_end|>"),
    ("abstain", "unsure", YNM, None, "I am not sure whether the intervention works."),
    ("abstain", "conditional_only", AF, None, "If the patient had a mechanical valve, the answer would be C."),
    ("abstain", "negated_only", AF, None, "The answer is definitely not D."),
    (
        "abstain",
        "all_eliminated",
        AF,
        None,
        "Aspirin is inferior. Unfractionated heparin is short-term. Warfarin needs monitoring. Clopidogrel is inferior.",
    ),
    # second blind batch
    (
        "final_marker",
        "alphamed_long_tail",
        AF,
        "C",
        "Step 1: stroke risk is high.\nStep 2: oral anticoagulation is indicated.\nStep 3: among the options only warfarin is an oral anticoagulant.\n\nThe final answer is: $\\boxed{C}$\n",
    ),
    ("final_marker", "answer_colon_bold_letter", ANEMIA, "C", "**Answer: C**"),
    (
        "final_marker",
        "the_correct_answer_is_colon_paren",
        ANEMIA,
        "C",
        "The correct answer is: (C) Pernicious anemia.",
    ),
    ("final_marker", "selected_option", AF, "C", "Selected option: C"),
    ("final_marker", "boxed_double_dollar", AF, "D", "$$\\boxed{D}$$"),
    ("final_marker", "tag_spaces", AF, "B", "<answer> B </answer>"),
    (
        "trap",
        "answer_word_in_reasoning",
        AF,
        "C",
        "To answer this, recall the CHA2DS2-VASc score. The answer depends on stroke risk, which is high here. The answer is C.",
    ),
    ("trap", "revise_with_actually", AF, "C", "I'd go with A. Actually, no: aspirin is inferior. I'll go with C."),
    ("trap", "correct_is_not", AF, "C", "D is not the correct answer. C is the correct answer."),
    (
        "trap",
        "both_discussed_then_choice",
        DM,
        "B",
        "Type 2 diabetes mellitus is common in adolescents with obesity, but this child is lean and ketotic with GAD65 antibodies. Final answer: B",
    ),
    ("trap", "letter_c_in_vitamin_c", VIT, "B", "Vitamin C deficiency causes scurvy, not Wernicke. The answer is B."),
    ("trap", "trailing_disclaimer", AF, "C", "The answer is C.\n\nNote: this is not medical advice."),
    ("trap", "answer_then_alternatives", AF, "C", "Answer: C. (A and D are antiplatelets; B is parenteral.)"),
    (
        "trap",
        "roman_numeral_i",
        VIT,
        "B",
        "Wernicke is due to thiamine deficiency (type I presentation). The answer is (B).",
    ),
    ("pubmedqa", "yes_in_sentence", YNM, "A", "Based on the significant improvement, my answer is yes."),
    ("pubmedqa", "no_boxed_text", YNM, "B", "$\\boxed{\\text{No}}$"),
    ("pubmedqa", "maybe_final", YNM, "C", "The data are mixed.\n\nFinal Answer: maybe"),
    ("formatting", "chinese_choose", AF, "C", "综合以上分析，答案选C。"),
    ("formatting", "full_width_answer_colon", AF, "D", "Answer：Ｄ"),
    ("formatting", "spanish_es", AF, "B", "La respuesta correcta es B."),
    ("formatting", "korean", AF, "C", "정답: C"),
    ("formatting", "cyrillic_e_outside", AF, None, "Ответ: Е"),
    ("abstain", "truncated_boxed", AF, None, "The final answer is: $\\boxed{"),
    ("abstain", "empty_boxed", AF, None, "The final answer is: $\\boxed{}$"),
    ("abstain", "answer_placeholder", AF, None, "The final answer is: $\\boxed{X}$"),
    ("abstain", "all_of_the_above", AF, None, "All of the above could work."),
    ("abstain", "tie", AF, None, "A and C are equally good answers."),
    (
        "abstain",
        "refusal_long",
        AF,
        None,
        "I understand you're asking about stroke prevention, but I can't recommend a specific medication. Treatment decisions depend on bleeding risk, kidney function and patient preference, so please discuss this with a cardiologist.",
    ),
    ("abstain", "multiple_boxed_hedge", AF, None, "It is $\\boxed{B}$ or $\\boxed{C}$, I cannot tell."),
    ("abstain", "question_only_reply", YNM, None, "What population was studied?"),
]

LATER_PATH = PATH.with_name("handwritten_later.jsonl")
LATER: list[tuple[str, str, list[str], str | None, str]] = [
    # Cases added after the golden digests were first written (they join the variants at the end).
    # A marker on a new line after a word with no full stop (a bug: read as glued to that word).
    (
        "final_marker",
        "newline_no_stop",
        AF,
        "C",
        "High stroke risk, low bleeding risk, normal kidneys. An oral anticoagulant is needed here\nAnswer: C",
    ),
    (
        "final_marker",
        "newline_no_stop_trailing",
        DM,
        "B",
        "Ketoacidosis at 9 with GAD65 antibodies points to autoimmune diabetes\nAnswer: B\n",
    ),
    (
        "final_marker",
        "newline_no_stop_bold",
        ANEMIA,
        "C",
        "Anti-intrinsic factor antibodies and a high MCV\n**Answer**: C",
    ),
    ("final_marker", "newline_after_number", NUM, "B", "The usual starting dose is 4 mg\nFinal answer: B"),
    (
        "trap",
        "newline_revised",
        AF,
        "C",
        "The answer is A at first sight, but aspirin is inferior in AF and warfarin protects better\nAnswer: C",
    ),
    ("abstain", "newline_hedge", AF, None, "Both anticoagulants are reasonable here\nAnswer: B or C"),
    ("trap", "glued_reanswer", AF, "C", "The answer is C. (Typo below, ignore.)\nWarfarin reanswer: B"),
    # A line break ends a conditional or negated clause (a bug: the clause ran on into the marker).
    (
        "trap",
        "newline_after_conditional",
        AF,
        "C",
        "I first wondered whether heparin bridging is needed, as if it could be B\nAnswer: C",
    ),
    ("trap", "newline_after_negation", AF, "C", "Aspirin alone is not enough in AF\nAnswer: C"),
    ("abstain", "conditional_same_line", AF, None, "If the kidneys were failing, the answer would be B"),
]


ROUND4_PATH = PATH.with_name("handwritten_round4.jsonl")
TRANSFUSION = [
    "Acute respiratory distress syndrome",
    "Transfusion-related acute lung injury",
    "Transfusion-associated circulatory overload",
    "Anaphylaxis",
]
IBD = ["Crohn disease", "Celiac disease", "Ulcerative colitis", "Irritable bowel syndrome"]
CAPACITY = ["A social worker", "The attending physician", "The hospital ethics committee", "The patient's family"]
SEIZURE = ["Lorazepam", "Phenytoin", "Valproate", "Levetiracetam", "Phenobarbital"]
ROUND4: list[tuple[str, str, list[str], str | None, str]] = [
    # Families of blind batch 4's misses, written here in other words and on other questions, before the
    # rules for them were run on batch 4 (the batch's outputs themselves stay in blind_batch4.jsonl).
    # 1. A letter-led opening: the output opens with an option's letter as a label, then explains.
    (
        "answer_first",
        "letter_colon_sentence",
        AF,
        "C",
        "C: the mechanical valve needs a vitamin K antagonist long-term. Aspirin (A) and clopidogrel (D) do not "
        "prevent valve thrombosis, and heparin (B) is only a bridge.",
    ),
    (
        "answer_first",
        "bracket_letter_abbrev",
        AF,
        "B",
        "[B] UFH - it can be switched off hours before the operation and reversed with protamine. Warfarin (C) "
        "lingers for days.",
    ),
    (
        "answer_first",
        "lowercase_paren_letter",
        ANEMIA,
        "C",
        "c) pernicious anemia (B12 malabsorption)\n\nIntrinsic factor antibodies settle it; folate deficiency "
        "(A) would spare the dorsal columns.",
    ),
    (
        "answer_first",
        "tick_bold_letter_dash_text",
        SEIZURE,
        "A",
        "✔️ **A - Lorazepam**\n\nA benzodiazepine comes first in status epilepticus; phenytoin and levetiracetam "
        "are second-line.",
    ),
    (
        "answer_first",
        "letter_then_parenthesis",
        SEIZURE,
        "A",
        "A (IV lorazepam), then a second-line agent if seizures persist after two doses.",
    ),
    (
        "answer_first",
        "letter_dot_rejections_below",
        TRANSFUSION,
        "C",
        "C. Raised BNP, hypertension and a fast response to furosemide all say volume.\n\nA: no predisposing "
        "insult.\nB: would not respond to diuretics.\nD: no urticaria or hypotension.",
    ),
    (
        "abstain",
        "letter_walkthrough_cut",
        AF,
        None,
        "A. Aspirin - inferior in AF.\nB. Unfractionated heparin - a bridge only.\nC. Warfarin - ",
    ),
    ("abstain", "letter_label_then_doubt", AF, None, "C: maybe, although B would also be defensible here."),
    (
        "abstain",
        "letter_label_rejected",
        AF,
        None,
        "A. Aspirin is wrong for a mechanical valve; beyond that I cannot choose without the renal function.",
    ),
    (
        "abstain",
        "answer_prefix_a_names_nothing",
        AF,
        None,
        "A: the patient needs long-term anticoagulation, and the agent depends on her kidneys.",
    ),
    # 2. A short closing sentence that ends on one letter.
    ("final_marker", "closing_ing_verb", AF, "C", "Mechanical valve plus AF, so anticoagulate long-term. Picking C."),
    (
        "final_marker",
        "closing_makes_it",
        SEIZURE,
        "A",
        "Still seizing after five minutes, no IV access problems. That makes it A.",
    ),
    (
        "final_marker",
        "closing_is_bold",
        AF,
        "C",
        "Valve thrombosis is the risk to prevent.\n\nThe one I'd defend is **C**.",
    ),
    (
        "final_marker",
        "closing_paren_note",
        AF,
        "C",
        "Only warfarin is approved for mechanical valves.\n\nC (fairly sure)",
    ),
    ("final_marker", "closing_option_comma", SEIZURE, "A", "Benzodiazepine first. Option A, locked."),
    (
        "final_marker",
        "closing_after_aside",
        AF,
        "B",
        "Surgery tomorrow and a short half-life is what matters. **Choose B.** (Bridge back to warfarin after.)",
    ),
    ("final_marker", "closing_ordinal_colon", SEIZURE, "A", "Benzodiazepines come first. The first one listed: A."),
    ("abstain", "closing_hedged_letter", AF, None, "I keep going back and forth between the agents. Maybe C."),
    (
        "abstain",
        "closing_question_letter",
        AF,
        None,
        "Anticoagulation is clearly needed. Would a cardiologist pick C?",
    ),
    ("abstain", "closing_comparison_letter", AF, None, "Heparin is needed now. It acts much faster than C."),
    (
        "abstain",
        "closing_vitamin_name",
        ANEMIA,
        None,
        "The neuropathy and glossitis point to a shortage of vitamin B. I would test before naming a cause.",
    ),
    (
        "abstain",
        "closing_list_row",
        AF,
        None,
        "Each option in turn:\n- Aspirin (A): inferior in AF\n- Heparin (B): short-term only\n- Warfarin (C)",
    ),
    # 3. A cut-off walk through the options ends on a letter that only starts the next row.
    (
        "abstain",
        "walkthrough_cut_at_letter",
        SEIZURE,
        None,
        "<think>\nGoing down the list:\nA. Lorazepam - first-line.\nB. Phenytoin - second-line.\nC. Valproate - "
        "second-line.\nD.",
    ),
    # 4. Rejections after the answer: a sentence that only rejects an option concludes nothing.
    (
        "option_text",
        "rejection_after_conclusion",
        AF,
        "C",
        "For a mechanical mitral valve the long-term treatment is warfarin (C). Using aspirin (A) as the only "
        "agent for this valve is not adequate.",
    ),
    (
        "abstain",
        "rejection_of_the_same_option",
        AF,
        None,
        "At first warfarin seemed the treatment. On a second look, warfarin is not appropriate with this INR history.",
    ),
    (
        "option_text",
        "walkthrough_rows_after_answer",
        SEIZURE,
        "A",
        "**First drug: Lorazepam (A)**\n\n- **Phenytoin** (B) - second-line, not first.\n- **Valproate** (C) - "
        "second-line.\n- **Phenobarbital** (E) - third-line.\n\nGive it IV over two minutes.",
    ),
    # 5. An opening label line that names an option, then the explanation.
    (
        "answer_first",
        "opening_label_then_body",
        ANEMIA,
        "C",
        "**Most likely cause: Pernicious anemia (autoimmune)**\n\nThe MCV is high, the dorsal columns are "
        "involved and intrinsic factor antibodies are positive.",
    ),
    (
        "abstain",
        "opening_label_two_options",
        ANEMIA,
        None,
        "Differential: Pernicious anemia vs folate deficiency\n\nThe level of methylmalonic acid will decide.",
    ),
    # 6. Option initials as an acronym.
    (
        "option_text",
        "acronym_label",
        TRANSFUSION,
        "B",
        "Hypoxemia within six hours of the transfusion, bilateral infiltrates, no volume overload.\n\nMost "
        "likely: TRALI",
    ),
    (
        "option_text",
        "acronym_not_other",
        TRANSFUSION,
        "C",
        "High BNP and a brisk response to diuretics.\n\nThis is TACO, not TRALI.",
    ),
    ("abstain", "acronym_ambiguous", IBD, None, "Skip lesions were not described.\n\nDiagnosis: CD."),
    (
        "option_text",
        "acronym_with_name",
        IBD,
        "A",
        "Fistulas and granulomas on biopsy.\n\nDiagnosis: CD (Crohn's), not UC.",
    ),
    # 7. A closing label line with the option's words and a trailing aside.
    (
        "option_text",
        "label_line_then_aside",
        CAPACITY,
        "B",
        "Capacity is judged at the bedside.\n\nWho decides: the physician attending the patient. (The courts "
        "decide competence, which is another matter.)",
    ),
    (
        "option_text",
        "label_line_exact_text",
        VIT,
        "J",
        "Bleeding newborn, no prophylaxis given.\n\nMissing: vitamin K.",
    ),
    # 9. The answer after </think> decides, whatever a marker inside the reasoning said (written after batch 4
    # was run on this rule).
    (
        "option_text",
        "after_think_over_reasoning_marker",
        SEIZURE,
        "A",
        "<think>\nPhenytoin is tempting but it's not a first-line drug here. Benzodiazepines come first.\n</think>\n\n"
        "The first drug to give is lorazepam (option A).",
    ),
    # 10. A negation inside the subject's relative clause (written after batch 4 was run on this rule).
    (
        "final_marker",
        "negated_relative_clause_subject",
        AF,
        "C",
        "Which agent is contraindicated in pregnancy? The one that must NOT be given is warfarin → option C.",
    ),
    ("abstain", "negated_main_clause", AF, None, "I do not think the answer is C."),
    # 11. A closing label line whose value starts with an option (exact text or its words), then a note.
    (
        "option_text",
        "label_value_then_note",
        TRANSFUSION,
        "C",
        "BNP 900, crackles, responded to furosemide.\n\nWorking label: TACO (volume), reassess after diuresis.",
    ),
    ("option_text", "label_exact_text_paren", VIT, "H", "Scurvy-like gums.\n\nLacking: vitamin C (ascorbate)."),
    (
        "option_text",
        "explanation_label_exact_option",
        SEIZURE,
        "A",
        "Status epilepticus for ten minutes.\n\nExplanation: lorazepam.",
    ),
    (
        "abstain",
        "label_value_then_other_option",
        SEIZURE,
        None,
        "Status epilepticus.\n\nFirst thought: lorazepam, though phenytoin may be needed instead.",
    ),
    # 12. The concluding sentence names an option by its text and its own letter together.
    (
        "option_text",
        "text_with_own_letter_no_cue",
        AF,
        "C",
        "The valve is mechanical.\n\n**Option C: warfarin** - target INR 2.5-3.5 for a mitral prosthesis.",
    ),
    (
        "option_text",
        "paraphrase_then_option_letter",
        TRANSFUSION,
        "C",
        "Pulmonary edema after two units, high BNP, diuretic response. This is circulatory overload from the "
        "transfusion (option C), so slow the rate and give furosemide.",
    ),
    (
        "abstain",
        "text_with_own_letter_negated",
        AF,
        None,
        "Anticoagulation is clearly needed, but not heparin (option B) for the long term.",
    ),
    # 8. "Not X, but Y" opening a sentence.
    (
        "trap",
        "not_x_but_y_sentence",
        AF,
        "C",
        "Not heparin (B), but warfarin (C): the valve is mechanical and the plan is long-term.",
    ),
]


def _write(path: Path, cases: list[tuple[str, str, list[str], str | None, str]]) -> None:
    with path.open("w", encoding="utf-8") as f:
        for category, sub, options, gold, output in cases:
            f.write(
                json.dumps(
                    {
                        "category": category,
                        "subcategory": sub,
                        "question": "handwritten",
                        "options": options,
                        "output": output,
                        "gold": gold,
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
    print(f"{len(cases)} cases -> {path}")


def main() -> None:
    _write(PATH, CASES)
    _write(LATER_PATH, LATER)
    _write(ROUND4_PATH, ROUND4)


if __name__ == "__main__":
    main()
