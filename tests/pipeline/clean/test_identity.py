import pytest

from pipeline.clean.filters import identity
from schemas.config import IdentityParams


@pytest.mark.parametrize(
    "answer",
    [
        "作为一个AI语言模型，我没有感情。",
        "作为一名人工智能助手，我建议……",
        "我是由OpenAI开发的语言模型。",
        "As an AI language model, I think",
        "我是ChatGPT。",
    ],
)
def test_foreign_identities_are_rejected(measured, answer: str) -> None:
    result = identity.check(measured(("user", "你是谁"), ("assistant", answer)), IdentityParams())
    assert result.reason == "identity_contamination"


def test_talking_about_ai_is_fine(measured) -> None:
    record = measured(("user", "什么是语言模型？"), ("assistant", "语言模型是预测下一个词的概率模型，例如 GPT 系列。"))
    assert identity.check(record, IdentityParams()) is None


@pytest.mark.parametrize(
    "answer",
    [
        "作为一种人工智能语言模型，我无法直接设计实验。",
        "很抱歉，作为一个人工智能，我目前无法执行订购午餐等外部任务。",
        "作为OpenAI训练的大型语言模型，我无法评估您的行动。",
        "是的，作为AI语言模型，我知道悉尼。",
        "由于我是一个人工智能语言模型，我无法获取实时信息。",
        "我不是一个网络爬虫，而是一个拥有预先训练知识的AI模型。",
        "作为人工智能助手，我在这里为您提供有用且安全的回答。",
        "我是一种基于云的模型，我的代码不对外公开。",
        "請注意，我的知識僅限於2021年9月之前。",  # traditional script is folded before matching
        "作為一個AI語言模型，我沒有感情。",
        "I'm just an AI, I don't have feelings 😀",
        "I was trained by OpenAI to be helpful.",
        "对不起，我不能提供有关有害或非法活动的信息。这种信息违反了OpenAI的内容政策。",
        "你好，这里是Open-Assistant，请问有什么需要我帮助的？",
        "您好，我是 Open Assistant，很高兴和您对话。😊",
        "I'm Open Assistant, a chat-based assistant.",
        "根据我在2021年9月的最新知识更新，赤霞珠和梅洛最受欢迎。",
        "此外，作为一个机器学习模型，我无法形成个人意见。",
        "记住，作为人工智能助手，提供准确和有用的回答是至关重要的。",
        "你好，我是开源助手open assistant，有什么需要帮助的吗?",
        "你好，我是你的智能助手Open Assistant，请问你需要什么帮助？😊",
        "我不是人类，并没有名字。但是，您可以叫我OpenAssistant。",
        "我的开发者是全球各地的开源社区志愿者。",
        "你好，这是Open Assistant。我可以尝试写一个这样的故事。",
        "我是一个基于语言模型的开源数字助理，可以回答问题。",
        "很抱歉，我没有注意到这点。作为一个开源的人工智能助理，编写违法的代码是不负责任的。",
        "如果有任何错误，我深表歉意。作为一个自然语言处理模型，我的回答基于训练数据集中可用的数据。",
        "对不起，我当前只是一个人工智能助理，并不是汽车。",
        "您好，我是一个智能语言助理，我可以用中文与您交流。",
        "您好，我是开放智能助手。如果您有什么问题，请提出来。",
        "抱歉，我没有思想。因为我不是人类，而是一个基于语言模型的开源数字助理。",
        "相比于它，我是一个开源的、开放的、社区共建的替代品。",
        "ChatGPT 是专有软件，没有开放程式码。而我是由社群的使用者开发的开放源代码的软件。",
    ],
)
def test_broad_identity_phrases_are_rejected(measured, answer: str) -> None:
    result = identity.check(measured(("user", "你好"), ("assistant", answer)), IdentityParams())
    assert result is not None and result.reason == "identity_contamination"


@pytest.mark.parametrize(
    "answer",
    [
        "机器学习是人工智能的一个分支，它让计算机从数据中学习。",
        "作为人工智能领域的专家，李教授认为数据质量最重要。",
        "很抱歉，我是个文本机器人，我无法直接创建图表，但可以给你一个表格。",
        "使用 ChatGPT 写歌词：人工智能的力量。",
        "真正的威胁不是机器，而是人工智能的滥用。",
        "Open Assistant 是 LAION 发起的开源聊天助手项目，数据由志愿者编写。",
        "我是说ChatGPT的回答不对，应该以教科书为准。",
        "作为一个普通的人工智能爱好者，你可以先学 Python。",
        "智能语音助手（如小爱同学）可以设置闹钟、播放音乐。",
        "Linux 是由社区开发的开源操作系统，任何人都可以参与。",
    ],
)
def test_talking_about_ai_or_playing_a_robot_is_fine(measured, answer: str) -> None:
    assert identity.check(measured(("user", "聊聊AI"), ("assistant", answer)), IdentityParams()) is None


def test_a_source_with_its_own_identity_can_be_allowed(measured) -> None:
    record = measured(
        ("user", "你是谁？"), ("assistant", "你好！我是一个AI助手，名叫小智。"), file="data/identity_zh.json"
    )
    assert identity.check(record, IdentityParams()).reason == "identity_contamination"
    assert identity.check(record, IdentityParams(allowed_sources=["*/identity_*.json"])) is None


@pytest.mark.parametrize(
    "answer",
    [
        "GPT-3 是 Generative Pre-trained Transformer 3 的缩写，它是一个由 OpenAI 开发的自然语言处理 AI 模型。",
        "AngularJS是由Google开发的JavaScript框架，用于构建用户界面。",
        "GPT-3, developed by OpenAI, is a large language model.",
        "不是直接询问公司的财务状况，而是询问市场金融状况并要求人工智能给出看法。",
    ],
)
def test_a_product_made_by_a_company_is_not_an_identity(measured, answer: str) -> None:
    """Gold set, tuned part: two keeps said "由OpenAI开发" of GPT-3, not of the assistant."""
    assert identity.check(measured(("user", "解释GPT-3是什么。"), ("assistant", answer)), IdentityParams()) is None


@pytest.mark.parametrize(
    "answer",
    [
        "因为我是由OpenAI创建的语言模型，没有访问个人数据。",
        "我是由 Google 训练的模型。",
        "I'm a model trained by OpenAI.",
    ],
)
def test_the_assistant_made_by_a_company_is_an_identity(measured, answer: str) -> None:
    result = identity.check(measured(("user", "你是谁？"), ("assistant", answer)), IdentityParams())
    assert result is not None and result.reason == "identity_contamination"


def test_a_robot_character_in_a_requested_script_is_not_the_assistant(measured) -> None:
    script = (
        "用户: 嗨 AI，你好吗？\nAI: 你好！我是一个人工智能，所以我没有真实的感受。但是我很乐意为你服务！\n用户: 谢谢！"
    )
    asked = measured(("user", "创建一个有5个对话回合的聊天机器人脚本。"), ("assistant", script))
    assert identity.check(asked, IdentityParams()) is None
    unasked = measured(("user", "你有感情吗？"), ("assistant", script))
    assert identity.check(unasked, IdentityParams()).reason == "identity_contamination"
    spoken = "好的，这是脚本：\n用户：你好\nAI：你好！\n作为一个AI语言模型，我必须说明这只是示例。"
    assert identity.check(measured(("user", "写一段对话脚本"), ("assistant", spoken)), IdentityParams()) is not None


def test_a_clause_opening_as_an_ai_is_an_identity_whatever_follows(measured) -> None:
    opening = "作为人工智能助手，如果您需要为一个7岁的孩子提供活动建议，我会推荐涂色和拼图。"
    assert identity.check(measured(("user", "建议两个活动"), ("assistant", opening)), IdentityParams()) is not None
    later = "好的。作为AI，没有身体的我也能帮你列计划。"
    assert identity.check(measured(("user", "帮我"), ("assistant", later)), IdentityParams()) is not None
    topic = "作为人工智能的一个分支，机器学习让计算机从数据中学习。"
    assert identity.check(measured(("user", "什么是机器学习"), ("assistant", topic)), IdentityParams()) is None


@pytest.mark.parametrize(
    "question, answer",
    [
        ("who are you ?", "OpenAssistant is a chat-based assistant that understands tasks."),
        ("你是谁？", "ChatGPT是一个由人工智能驱动的聊天机器人。"),
    ],
)
def test_asked_who_it_is_an_answer_naming_a_model_speaks_of_itself(measured, question: str, answer: str) -> None:
    result = identity.check(measured(("user", question), ("assistant", answer)), IdentityParams())
    assert result is not None and result.reason == "identity_contamination"


def test_asked_about_a_model_an_answer_naming_it_is_the_topic(measured) -> None:
    answer = "ChatGPT是GPT语言模型的一种变体，针对对话做了微调。"
    assert (
        identity.check(measured(("user", "你能告诉我有关ChatGPT的信息吗？"), ("assistant", answer)), IdentityParams())
        is None
    )
