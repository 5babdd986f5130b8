import pytest

from pipeline.clean.filters import language
from pipeline.clean.filters.language import language_of
from schemas.config import LanguageParams


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("今天天气很好。", "zh"),
        ("繁體中文也是中文", "zh"),
        ("The weather is nice today.", "en"),
        ("我用 Python 写了一个 web server 来处理 requests", "mixed"),
        ("😀 123 ！", "none"),
        ("안녕하세요, 반갑습니다", "ko"),
        ("こんにちは、元気ですか", "ja"),
        ("", "none"),
    ],
)
def test_language_of(text: str, expected: str) -> None:
    assert language_of(text) == expected


def test_allowed_languages_are_configurable(measured) -> None:
    english = measured(("user", "Hi, how are you?"), ("assistant", "Hello there, I am fine, thanks for asking."))
    assert language.check(english, LanguageParams()) is None  # an English question answered in English
    assert language.check(english, LanguageParams(allowed=["zh", "mixed", "none"])).reason == "wrong_language"


def test_an_answer_in_a_language_the_question_gives_no_reason_for(measured) -> None:
    unasked = measured(
        ("user", "请介绍一下长城的历史。"), ("assistant", "The Great Wall was built over many centuries.")
    )
    korean = measured(
        ("user", "환절기 목관리하는 꿀팁 3가지 알려줘。"),
        ("assistant", "在季节变化期间，很多人会感到喉咙干燥，以下是三个护理小贴士。"),
    )
    swedish = measured(
        ("user", "用瑞典语写一篇关于金钱与快乐的短文。"),
        ("assistant", "金钱买不来幸福，这是一句古老的真理，今天仍然有力量。"),
    )
    for record in (unasked, korean, swedish):
        assert language.check(record, LanguageParams()).reason == "wrong_language"
    assert language.check(unasked, LanguageParams(match_question=False)) is None


def test_english_answers_the_question_asked_for(measured) -> None:
    answers = "As the sun sets, the shimmer of the horizon becomes a keepsake of breadth and calm."
    for question in (
        "用“shimmer”、“keepsake”和“breadth”造一个句子。",
        "把这句话翻译成英文：夕阳很美。",
        "解释 do away with 的用法",
    ):
        assert language.check(measured(("user", question), ("assistant", answers)), LanguageParams()) is None
    traditional = measured(("user", "請介紹一下台北。"), ("assistant", "台北是台灣的首都，有故宮博物院和101大樓。😀"))
    assert language.check(traditional, LanguageParams()) is None


def test_each_answer_is_excused_by_its_own_question_only(measured) -> None:
    """Gold set, tuned part: a tool chat's first Chinese question answered in English passed because
    a later question mentioned "HTML alt属性" (Latin letters of another turn excused every turn)."""
    chat = measured(
        ("user", "在HTML表单中，用于客户注册时，询问客户姓名的字段标签应该是什么？"),
        ("assistant", '"First Name" should be used as the field label to ask for the customer\'s first name.'),
        ("user", "使用HTML图像中的alt属性的目的是什么？"),
        ("assistant", "HTML 图像中的 alt 属性用于为视觉受损的用户提供替代文本描述。"),
    )
    assert language.check(chat, LanguageParams()).detail == "a Chinese question answered in English"
    asked_before = measured(
        ("system", "请始终用英文回答。"),
        ("user", "今天天气怎么样？"),
        ("assistant", "It is sunny and warm today, a good day for a walk in the park."),
    )
    assert language.check(asked_before, LanguageParams()) is None


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        (
            "在这个任务中，你会得到一个日语句子，你的任务是将其转换成英语。\nこの新しいアップデートで、ツイッターは今や投稿を撤回できる。",
            "这个新的更新与全球删除相反，Twitter现在能够在某些国家暂停特定帖子和账户。自信度：85%",
        ),
        (
            "你的任务是创作一篇1500字的泰语文章，包括元描述和标题。",
            "走向明亮的美丽：注射眼部填充剂的秘诀和护理，获得持久的效果。",
        ),
        ("将这句英文句子翻译成西班牙语：The whale ship Essex.", "当然，埃塞克斯号捕鲸船的故事是一个令人震惊的事件。"),
        ("請用日文回答：東京有哪些景點？", "東京有淺草寺、晴空塔和上野公園，都很值得一去。"),
        ("这个任务是将给定的英语句子翻译成法语。\nI really meant it.", "我真的是故意的。"),
        ("根据以下链接准备一篇西班牙语文章，重点强调广播的作用。", "零售媒体正在爆炸式增长，广播能否分一杯羹？"),
        ("我希望你扮演一个学习英语的学生，以完美的A2英语水平来回答。", "我每天早上七点起床，然后吃早饭去上学。"),
        ("为GPS应用设计导航。写作风格：专业，写英语（英国）。", "首先考虑采用基于选项卡的导航系统。"),
    ],
)
def test_an_answer_not_in_the_language_the_instruction_names(measured, question: str, answer: str) -> None:
    result = language.check(measured(("user", question), ("assistant", answer)), LanguageParams())
    assert result is not None and result.reason == "wrong_language"


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        ("把“我爱你”翻译成英文。", "“我爱你”翻译成英文是“I love you”，这是最常见的说法。"),
        ("用日语写一句问候。", "早上好用日语是“おはようございます”，晚上好是“こんばんは”。"),
        ("把下面的英文翻译成中文：Good morning, everyone.", "大家早上好，这是一句常见的问候语。"),
        ("把“早安”翻译成法语。", "Bonjour"),
        ("阅读下面的英语文章，回答问题：Tom likes apples. 汤姆喜欢什么？", "汤姆喜欢苹果，文章第一句就说了。"),
        (
            "将新闻评论分类到其语言中。例子：Transatlantic Trade for All\n解决方案：英语\n"
            "原因：给定的句子是用英语写的。\n"
            "现在，解决这个例子：Inoltre, quando si tratta di tariffe e standard, le norme dell’OMC non sono uguali.",
            "意大利语\n信心：97%",
        ),
    ],
)
def test_an_answer_in_the_named_language_passes(measured, question: str, answer: str) -> None:
    assert language.check(measured(("user", question), ("assistant", answer)), LanguageParams()) is None


def test_code_without_a_fence_is_not_an_english_answer(measured) -> None:
    command = (
        "kubectl get pods --all-namespaces -l foo=bar --output=json | jq -r '.items[].metadata.name' && "
        "kubectl delete pods -l foo=bar;"
    )
    program = "def\xa0sum(k,\xa0n):\nsum\xa0=\xa00\nfor\xa0i\xa0in\xa0range(k,\xa0n+1):\nsum\xa0+=\xa0i\nreturn\xa0sum"
    for question, answer in (
        ("请为我创建一个 Bash 单行命令，删除所有匹配的 Pod。", command),
        ("编写一个程序来计算从k到n的整数之和。", program),
    ):
        assert language.check(measured(("user", question), ("assistant", answer)), LanguageParams()) is None


def test_a_quoted_translation_of_one_word_is_in_the_named_language(measured) -> None:
    answer = "“你好”翻译成英文是“Hello”，这是最常见、最通用的问候语，正式和非正式场合都可以用。"
    assert language.check(measured(("user", "把“你好”翻译成英文。"), ("assistant", answer)), LanguageParams()) is None


def test_a_chinese_question_naming_its_language_is_not_an_english_question(measured) -> None:
    """Gold set, round 5: a fifth of the question's letters are "Ruby"; the answer's prose is English."""
    question = "Ruby代码实现冒泡排序算法的代码是什么？请使用[Ruby代码]格式数据，提供逐步解释。"
    answer = "Sure, here's an implementation of the bubble sort algorithm in Ruby, with a step-by-step explanation."
    record = measured(("user", question), ("assistant", answer))
    assert language.check(record, LanguageParams()).reason == "wrong_language"


def test_a_format_spelled_out_in_latin_letters_does_not_make_an_english_question(measured) -> None:
    """Gold set, round 6: half the question's letters are Latin (dd/mm/yyyy), a fifth of its words."""
    question = "将以下日期从欧洲格式（dd/mm/yyyy）转换为美国格式（mm/dd/yyyy）：15/10/2021。"
    answer = "The date 15/10/2021 in European format converted to American format would be 10/15/2021."
    record = measured(("user", question), ("assistant", answer))
    assert language.check(record, LanguageParams()).reason == "wrong_language"


@pytest.mark.parametrize(
    "question",
    [
        'Wytłumacz eksperyment "Moral Machine" przeprowadzony przez MIT.',
        "Voici un résumé académique et détaillé pour le document intitulé Commentaires des Hikam.",
        "¿Cuál es la capital de Australia y por qué no es Sídney?",
    ],
)
def test_a_question_in_another_latin_script_language_answered_in_chinese(measured, question: str) -> None:
    answer = "这是一个关于这个问题的详细中文回答，介绍了相关的背景、原因和结论，内容完整。"
    result = language.check(measured(("user", question), ("assistant", answer)), LanguageParams())
    assert result.reason == "wrong_language"


def test_english_with_an_accent_answered_in_chinese_passes(measured) -> None:
    question = "What is the difference between a café and a bistro?"
    answer = "咖啡馆（café）以咖啡和简餐为主，小酒馆（bistro）则供应家常菜和葡萄酒，氛围更随意。"
    assert language.check(measured(("user", question), ("assistant", answer)), LanguageParams()) is None
    asked = measured(("user", "Wytłumacz eksperyment Moral Machine po chińsku (中文)."), ("assistant", answer))
    assert language.check(asked, LanguageParams()) is None
